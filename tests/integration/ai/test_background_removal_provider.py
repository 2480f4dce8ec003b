"""Removing a hard background through the image provider: OpenAI's documented image edit with a
transparent background (against the local fake), and the offline provider's plain cut-out."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.ai.base import BackgroundRemover, ProviderError
from app.ai.local import LocalProvider
from app.ai.openai_provider import CUTOUT_PROMPT, OpenAIProvider, OpenAISettings
from tests.support.fake_openai import Fail, FakeOpenAI


def _photo(size: tuple[int, int] = (300, 200)) -> bytes:
    image = Image.new("RGB", size, (235, 235, 235))
    image.paste((200, 40, 40), (100, 50, 200, 150))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _provider(fake: FakeOpenAI, model: str = "gpt-image-1") -> OpenAIProvider:
    settings = OpenAISettings(
        api_key="sk-test-luneo", base_url=fake.base_url, model=model, timeout=5
    )
    return OpenAIProvider(settings)


def test_both_providers_can_remove_a_background() -> None:
    assert isinstance(LocalProvider(), BackgroundRemover)
    assert isinstance(OpenAIProvider(OpenAISettings(api_key="sk-test")), BackgroundRemover)


def test_openai_edits_the_photo_onto_a_transparent_background(fake_openai: FakeOpenAI) -> None:
    result = _provider(fake_openai).remove_background(_photo(), user_ref="a" * 32)

    [call] = fake_openai.calls("edits")
    assert call.body["model"] == "gpt-image-1"
    assert call.body["background"] == "transparent"
    assert call.body["output_format"] == "png"
    assert call.body["input_fidelity"] == "high"
    assert call.body["prompt"] == CUTOUT_PROMPT
    assert call.body["image"]["content_type"] == "image/png"
    assert call.body["image"]["size"] == len(_photo())
    picture = Image.open(io.BytesIO(result.png))
    assert (picture.mode, picture.size) == ("RGBA", (1536, 1024))
    assert (result.width, result.height, result.model) == (1536, 1024, "gpt-image-1")
    assert picture.getpixel((5, 5))[3] == 0
    assert picture.getpixel((768, 512))[3] == 255


def test_a_model_without_transparency_is_not_asked(fake_openai: FakeOpenAI) -> None:
    with pytest.raises(ProviderError) as caught:
        _provider(fake_openai, model="dall-e-3").remove_background(_photo())

    assert caught.value.retryable is False
    assert "not available" in caught.value.public
    assert fake_openai.calls("edits") == []


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (429, True), (400, False)])
def test_provider_failures_map_like_generations(
    fake_openai: FakeOpenAI, status: int, retryable: bool
) -> None:
    fake_openai.script("edits", Fail(status, type="invalid_request_error"))

    with pytest.raises(ProviderError) as caught:
        _provider(fake_openai).remove_background(_photo())

    assert caught.value.retryable is retryable


def test_the_offline_provider_cuts_out_plain_backgrounds_only() -> None:
    provider = LocalProvider()
    cut = provider.remove_background(_photo())
    picture = Image.open(io.BytesIO(cut.png))
    assert picture.getpixel((5, 5))[3] == 0
    assert picture.getpixel((150, 100))[3] == 255

    busy = io.BytesIO()
    Image.effect_noise((120, 80), 120).convert("RGB").save(busy, "PNG")
    with pytest.raises(ProviderError) as caught:
        provider.remove_background(busy.getvalue())
    assert caught.value.retryable is False
    assert "too many colours" in caught.value.public
