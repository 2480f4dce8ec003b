"""Prompt safety, retry timing and the offline provider: pure functions, exact values."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.ai.base import ImageProvider, ImageRequest, ProviderError
from app.ai.local import LocalProvider
from app.ai.openai_provider import OpenAIProvider, request_size, retry_after_seconds
from app.ai.retry import ai_backoff, delay_for, with_retries
from app.ai.safety import PromptRefused, check_prompt, matching_terms, normalize_prompt


def test_normalisation_folds_compat_forms_and_drops_controls() -> None:
    assert normalize_prompt(" ａ\u200bfox\t\n\x07reading  ") == "afox reading"


@pytest.mark.parametrize(
    ("_case", "prompt", "hits"),
    [
        ("whole word any case", "a DISNEY castle", ["disney"]),
        ("inside a word", "disneyland", []),
        ("phrase", "star  wars", []),
        ("phrase exact", "star wars fan", ["star wars"]),
    ],
)
def test_deny_list_matches_whole_words(_case: str, prompt: str, hits: list[str]) -> None:
    assert matching_terms(prompt, ["disney", "star wars"]) == hits


def test_too_long_prompt_is_refused_with_a_shopper_message() -> None:
    with pytest.raises(PromptRefused, match="under 500 characters"):
        check_prompt("x" * 501, [])


def test_retry_headers_and_backoff() -> None:
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    policy = ai_backoff(attempts=4, base_delay=2.0, max_wait=30.0)
    assert delay_for(policy, 3, ProviderError("x", retryable=True)) == 8.0
    assert delay_for(policy, 1, ProviderError("x", retryable=True, retry_after=90)) == 30.0


def test_with_retries_stops_after_the_policys_attempts() -> None:
    waits: list[float] = []
    calls: list[int] = []

    def failing() -> None:
        calls.append(1)
        raise ProviderError("503", retryable=True, retry_after=1.5)

    with pytest.raises(ProviderError):
        with_retries(failing, ai_backoff(3, 2.0, 30.0), sleep=waits.append)
    assert (len(calls), waits) == (3, [1.5, 1.5])


def test_local_provider_is_deterministic_and_prompt_dependent() -> None:
    provider = LocalProvider()
    [one] = provider.generate(ImageRequest("a fox under a tree", 2000, 1000))
    [same] = provider.generate(ImageRequest("a fox under a tree", 2000, 1000))
    [other] = provider.generate(ImageRequest("a whale in the sea", 2000, 1000))
    assert one.png == same.png != other.png
    assert (one.width, one.height) == (1024, 512)
    assert Image.open(io.BytesIO(one.png)).format == "PNG"
    assert provider.moderate("a gory scene").flagged
    assert not provider.moderate("a sunny garden").flagged


def test_providers_satisfy_the_protocol_and_sizes_fit_the_model() -> None:
    assert isinstance(LocalProvider(), ImageProvider)
    from app.ai.openai_provider import OpenAISettings

    assert isinstance(OpenAIProvider(OpenAISettings(api_key="sk-test")), ImageProvider)
    assert request_size("gpt-image-2.5-flare", 2433, 1134) == (1840, 864)
    assert request_size("gpt-image-1", 2433, 1134) == (1536, 1024)


def test_local_variants_differ_and_the_first_is_the_prompts_own_picture() -> None:
    """Issue #19: several pictures per prompt; a regenerated set (``variation``) is new."""
    provider = LocalProvider()
    [plain] = provider.generate(ImageRequest("a fox under a tree", 800, 400))
    four = provider.generate(ImageRequest("a fox under a tree", 800, 400, n=4))
    again = provider.generate(ImageRequest("a fox under a tree", 800, 400, n=4, variation="x1"))
    assert len(four) == 4
    assert four[0].png == plain.png
    assert len({image.png for image in four}) == 4
    assert not {image.png for image in again} & {image.png for image in four}
