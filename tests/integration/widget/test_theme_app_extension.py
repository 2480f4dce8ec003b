"""Shopify's Theme Check, with its theme-app-extension config, on storefront_widget/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.integration.widget.conftest import WIDGET, run_node_tool

EXTENSION_PARTS = ("shopify.extension.toml", "blocks", "locales", "assets")


def _theme_check(bin_dir: Path, path: Path) -> tuple[int, list[dict[str, object]]]:
    result = run_node_tool(
        bin_dir / "shopify", "theme", "check", "--path", path,
        "-C", "theme-check:theme-app-extension", "--fail-level", "error", "--output", "json",
    )  # fmt: skip
    start = result.stdout.find("[")
    assert start >= 0, result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout[start:])


def _copy_extension(tmp_path: Path) -> Path:
    target = tmp_path / "extension"
    target.mkdir()
    for part in EXTENSION_PARTS:
        source = WIDGET / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def test_the_extension_passes_theme_check(widget_tools: Path) -> None:
    code, offenses = _theme_check(widget_tools, WIDGET)

    assert offenses == []
    assert code == 0


def test_theme_check_fails_a_render_blocking_script(widget_tools: Path, tmp_path: Path) -> None:
    # Given the block with a parser-blocking third-party script added
    extension = _copy_extension(tmp_path)
    block = extension / "blocks" / "customizer.liquid"
    text = block.read_text()
    blocking = '<script src="https://cdn.example.com/x.js"></script>'
    block.write_text(text.replace("<noscript>", blocking + "<noscript>", 1))

    # When Theme Check runs, then it fails on that script
    code, offenses = _theme_check(widget_tools, extension)

    assert code == 1
    [report] = offenses
    checks = {o["check"] for o in report["offenses"]}  # type: ignore[attr-defined]
    assert checks == {"ParserBlockingScript", "RemoteAsset"}


def test_every_storefront_string_is_translated_in_french() -> None:
    def keys(data: object, prefix: str = "") -> set[str]:
        if isinstance(data, dict):
            return {k for key, v in data.items() for k in keys(v, f"{prefix}{key}.")}
        return {prefix.rstrip(".")}

    pairs = (("en.default.json", "fr.json"), ("en.default.schema.json", "fr.schema.json"))
    for name, french in pairs:
        english_keys = keys(json.loads((WIDGET / "locales" / name).read_text()))
        assert keys(json.loads((WIDGET / "locales" / french).read_text())) == english_keys
