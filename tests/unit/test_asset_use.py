"""When a design draws a shop's own font or clipart piece (app.product_templates.asset_use)."""

from __future__ import annotations

from app.product_templates.asset_use import InUse, _pairs, uses_clipart, uses_font

DOCUMENT = {
    "version": 1,
    "fields": {"logo": "clipart:shop-3/star"},
    "areas": {
        "front": {
            "layers": [
                {"type": "text", "text": "Brand Script", "font": "Lobster"},
                {"type": "clipart", "src": "clipart:shop-3/moon-2"},
            ]
        }
    },
}


def found(test: object) -> bool:
    return any(test(k, v) for k, v in _pairs(DOCUMENT))  # type: ignore[operator]


def test_a_font_is_used_by_the_layers_that_name_it_not_by_text_that_reads_like_it() -> None:
    assert found(uses_font("Lobster"))
    assert not found(uses_font("Brand Script"))  # only a text, not a font


def test_a_set_is_used_by_any_of_its_pieces_a_piece_only_by_itself() -> None:
    assert found(uses_clipart("clipart:shop-3/"))
    assert not found(uses_clipart("clipart:shop-30/"))
    assert found(uses_clipart("clipart:shop-3/star"))  # a field's value counts too
    assert not found(uses_clipart("clipart:shop-3/moon"))  # not a prefix of moon-2


def test_the_sentence_names_templates_and_orders() -> None:
    both = InUse(["Tote bag"], ["#1001"]).says("Lobster")
    assert "Tote bag" in both
    assert "#1001" in both
    assert "once those orders are made" in both
    assert InUse(["Tote bag"]).says("Lobster").endswith("Remove it from the templates first.")
