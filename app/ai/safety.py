"""Prompt safety before anything is paid for: normalisation, limits and deny-lists.

Checks here are local and instant, so the storefront can refuse at once (422). The provider's
moderation (OpenAI's moderation endpoint, or the built-in list for the local provider) runs in
the job, before generation. Messages are written for shoppers: they say what to change, never
which rule matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MIN_PROMPT_CHARS = 3
MAX_PROMPT_CHARS = 500
MAX_RAW_PROMPT_CHARS = 4 * MAX_PROMPT_CHARS  # before normalising (spaces collapse, controls go)
MAX_DENY_TERMS = 500
MAX_DENY_TERM_CHARS = 80

# Unicode categories removed outright: control, format (zero-width joiners, bidi overrides),
# surrogates, private use, unassigned.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACES = re.compile(r"\s+")

REFUSED_CONTENT = "We can't create an image from this description. Please describe something else."
REFUSED_MERCHANT = (
    "This store doesn't allow images with some of the words in your description. "
    "Please rephrase it."
)
TOO_SHORT = f"Describe the image you want in at least {MIN_PROMPT_CHARS} characters."
TOO_LONG = f"Keep the description under {MAX_PROMPT_CHARS} characters."


class PromptRefused(ValueError):
    """A prompt we will not send; ``reason`` is for stats, ``message`` for the shopper."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def normalize_prompt(raw: str) -> str:
    """NFKC, no control/format characters, single spaces, trimmed: what is cached and sent."""
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(
        " " if ch in "\t\n\r\v\f" else ch
        for ch in text
        if ch in "\t\n\r\v\f" or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    return _SPACES.sub(" ", text).strip()


def check_length(prompt: str) -> None:
    if len(prompt) < MIN_PROMPT_CHARS:
        raise PromptRefused("too_short", TOO_SHORT)
    if len(prompt) > MAX_PROMPT_CHARS:
        raise PromptRefused("too_long", TOO_LONG)


def normalize_terms(terms: Iterable[str]) -> list[str]:
    """A merchant's deny-list cleaned up: normalised, lower-cased, unique, in the given order."""
    seen: dict[str, None] = {}
    for term in terms:
        clean = normalize_prompt(str(term)).casefold()
        if clean and len(clean) <= MAX_DENY_TERM_CHARS:
            seen.setdefault(clean, None)
    return list(seen)[:MAX_DENY_TERMS]


def _term_pattern(term: str) -> re.Pattern[str]:
    # Word boundaries that also hold at non-word edges ("c++", "#tag"): no word char next to it.
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)


def matching_terms(prompt: str, terms: Iterable[str]) -> list[str]:
    """The deny-list terms found in ``prompt`` as whole words, case-insensitively."""
    folded = prompt.casefold()
    return [term for term in terms if term and _term_pattern(term.casefold()).search(folded)]


@dataclass(frozen=True)
class Checked:
    prompt: str  # normalised


def check_prompt(raw: str, merchant_terms: Iterable[str]) -> Checked:
    """Normalise and check a shopper's prompt; raise PromptRefused with a shopper message.

    A prompt far over the limit is refused before it is normalised: normalising walks every
    character (seconds for the megabytes a request body may hold, on a web worker).
    """
    if len(raw) > MAX_RAW_PROMPT_CHARS:
        raise PromptRefused("too_long", TOO_LONG)
    prompt = normalize_prompt(raw)
    check_length(prompt)
    if matching_terms(prompt, merchant_terms):
        raise PromptRefused("merchant_deny_list", REFUSED_MERCHANT)
    return Checked(prompt)


# The local provider's stand-in for a moderation model: a short built-in list of categories
# no store would print. It is deliberately small and clearly a stand-in (development only).
BUILTIN_DENY_LIST: dict[str, tuple[str, ...]] = {
    "violence/graphic": ("gore", "gory", "beheading", "dismembered", "mutilated"),
    "sexual": ("nude", "naked", "porn", "pornographic", "nsfw", "explicit sex"),
    "hate": ("nazi", "swastika", "kkk", "white power"),
    "self-harm": ("suicide", "self harm", "self-harm"),
    "illicit": ("cocaine", "heroin", "meth lab"),
}


def builtin_flags(prompt: str) -> tuple[str, ...]:
    """Categories of the built-in list that ``prompt`` hits (empty when clean)."""
    return tuple(
        category for category, terms in BUILTIN_DENY_LIST.items() if matching_terms(prompt, terms)
    )
