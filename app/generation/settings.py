"""A shop's AI settings: deny-list and style presets, with Luneo's defaults until edited."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from app.ai.safety import normalize_prompt, normalize_terms
from app.billing.plans import Feature
from app.billing.quota import has_feature
from app.models import AiSettings, Shop, ShopScope, Template

MAX_STYLES = 20
MAX_PREFIX_CHARS = 200
MAX_LABEL_CHARS = 64
_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

DEFAULT_STYLES: tuple[dict[str, str], ...] = (
    {"key": "watercolour", "label": "Watercolour", "prefix": "A soft watercolour painting of"},
    {"key": "line-art", "label": "Line art", "prefix": "Clean black line art, no shading, of"},
    {"key": "photo", "label": "Photo", "prefix": "A realistic, well-lit photograph of"},
    {"key": "cartoon", "label": "Cartoon", "prefix": "A bold, colourful cartoon illustration of"},
    {"key": "vintage", "label": "Vintage print", "prefix": "A retro screen-printed poster of"},
)


class InvalidSettings(ValueError):
    def __init__(self, message: str, field: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.fields = fields or {field: message}  # every problem found, by field


@dataclass(frozen=True)
class Style:
    key: str
    label: str
    prefix: str

    def apply(self, prompt: str) -> str:
        return f"{self.prefix} {prompt}" if self.prefix else prompt

    def as_json(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, "prefix": self.prefix}


def settings_row(scope: ShopScope) -> AiSettings | None:
    return scope.get_by(AiSettings, shop_id=scope.shop_id)


def styles(scope: ShopScope) -> list[Style]:
    row = settings_row(scope)
    raw = row.styles if row is not None and row.styles is not None else DEFAULT_STYLES
    return [Style(s["key"], s["label"], s.get("prefix", "")) for s in raw]


def style_by_key(scope: ShopScope, key: str | None) -> Style | None:
    if not key:
        return None
    return next((s for s in styles(scope) if s.key == key), None)


def deny_terms(scope: ShopScope) -> list[str]:
    row = settings_row(scope)
    return list(row.deny_terms) if row is not None else []


def key_for_label(label: str, taken: set[str]) -> str:
    """A style's key made from its label (``Line art`` -> ``line-art``), unique among ``taken``."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_label.lower()).strip("-")[:56] or "style"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def parse_styles(raw: Any) -> list[dict[str, str]]:
    """Validate an edited list of presets (label, prefix; a key, or one made from the label).

    A row with neither label nor prefix is a blank (or emptied) row of the form and is skipped.
    Every problem is named by its row and cell (``styles.<i>.label``) in ``InvalidSettings.fields``.
    """
    if not isinstance(raw, list) or len(raw) > MAX_STYLES * 2:
        raise InvalidSettings(f"Give a list of at most {MAX_STYLES} styles.", "styles")
    rows: list[tuple[int, str, str, str]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidSettings("Each style needs a label and a prompt prefix.", f"styles.{i}")
        key = str(item.get("key") or "").strip().lower()
        label = normalize_prompt(str(item.get("label") or ""))
        prefix = normalize_prompt(str(item.get("prefix") or ""))
        if not (label or prefix):
            continue
        rows.append((i, key, label, prefix))
    if len(rows) > MAX_STYLES:
        raise InvalidSettings(f"Keep at most {MAX_STYLES} styles.", "styles")
    explicit = {key for _, key, _, _ in rows if key}
    parsed: list[dict[str, str]] = []
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for i, key, label, prefix in rows:
        if key and (not _KEY.fullmatch(key) or key in seen):
            problems[f"styles.{i}.key"] = "Use a unique key of lowercase letters, digits, - or _."
        if not label:
            problems[f"styles.{i}.label"] = "Give the style a label shoppers will see."
        elif len(label) > MAX_LABEL_CHARS:
            problems[f"styles.{i}.label"] = f"Keep the label under {MAX_LABEL_CHARS} characters."
        if not prefix:
            problems[f"styles.{i}.prefix"] = "Give the words put before the shopper's prompt."
        elif len(prefix) > MAX_PREFIX_CHARS:
            problems[f"styles.{i}.prefix"] = f"Keep the prefix under {MAX_PREFIX_CHARS} characters."
        key = key or key_for_label(label, seen | explicit)
        seen.add(key)
        parsed.append({"key": key, "label": label, "prefix": prefix})
    if problems:
        field, message = next(iter(problems.items()))
        raise InvalidSettings(message, field, problems)
    return parsed


def parse_deny_terms(raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise InvalidSettings("Give the blocked words as a list, one per line.", "deny_terms")
    return normalize_terms(raw)


def save(scope: ShopScope, payload: Any) -> AiSettings:
    """Apply the admin's edits (``styles`` and/or ``deny_terms``); raise InvalidSettings."""
    if not isinstance(payload, dict):
        raise InvalidSettings("Send a JSON object.", "")
    new_styles = parse_styles(payload["styles"]) if "styles" in payload else None
    new_terms = parse_deny_terms(payload["deny_terms"]) if "deny_terms" in payload else None
    row = settings_row(scope) or scope.add(AiSettings(deny_terms=[]))
    if new_styles is not None:
        row.styles = new_styles
    if new_terms is not None:
        row.deny_terms = new_terms
    scope.session.flush()
    return row


def ai_enabled(scope: ShopScope, shop: Shop, template: Template) -> bool:
    """On for shoppers only when the merchant enabled it here and the plan includes AI."""
    return template.ai_enabled and has_feature(scope.session, shop, Feature.AI)


def ai_block(
    scope: ShopScope, template: Template, provider: str, provider_label: str
) -> dict[str, Any]:
    """The template document's ``ai`` block (storefront contract)."""
    shop = scope.session.get(Shop, scope.shop_id)
    enabled = shop is not None and ai_enabled(scope, shop, template)
    return {
        "enabled": enabled,
        "styles": [{"key": s.key, "label": s.label} for s in styles(scope)] if enabled else [],
        "provider": provider,
        "provider_label": provider_label,
    }
