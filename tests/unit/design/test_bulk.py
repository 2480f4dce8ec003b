"""Bulk personalization: CSV rows fill a design's placeholders; bad rows are reported, not fatal."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from PIL import Image

from app.design import DesignError
from app.design.bulk import check_columns, expand, fill, placeholders, read_rows
from app.design.document import ImageLayer, TextLayer
from app.design.render_cli import register_render_command

from .conftest import FontRegistry, design, picture, text

PHOTO = {
    "type": "image",
    "src": "photos/{{ photo }}",
    "x_mm": 20,
    "y_mm": 2,
    "width_mm": 15,
    "height_mm": 15,
}
DOCUMENT = design(text("Hello {{name}}, #{{number}}"), PHOTO)


def test_rows_fill_text_and_picture_placeholders() -> None:
    header, rows = read_rows("name,number,photo\nAda,7,ada.png\nGrace,10,grace.png\n")

    items = list(expand(DOCUMENT, rows))

    assert header == ["name", "number", "photo"]
    assert [(r.number, r.line) for r in rows] == [(1, 2), (2, 3)]
    filled = []
    for item in items:
        assert item.design is not None
        name, photo = item.design.areas["front"]
        assert isinstance(name, TextLayer)
        assert isinstance(photo, ImageLayer)
        filled.append((name.text, photo.src))
    assert filled == [("Hello Ada, #7", "photos/ada.png"), ("Hello Grace, #10", "photos/grace.png")]
    assert DOCUMENT["areas"]["front"]["layers"][0]["text"] == "Hello {{name}}, #{{number}}"


def test_placeholders_are_only_read_from_text_and_refs() -> None:
    document = design(text("{{a}} and {{ b }}", color="#000000", id="{{ignored}}"), PHOTO)

    assert placeholders(document) == {"a", "b", "photo"}


def test_a_column_the_csv_lacks_stops_the_whole_run() -> None:
    header, _ = read_rows("name,photo\nAda,ada.png\n")

    with pytest.raises(DesignError, match=r"the design uses \{\{number\}\} but the CSV has no"):
        check_columns(DOCUMENT, header)


def test_bad_rows_carry_their_line_number_and_the_rest_go_on() -> None:
    csv_text = "name,number,photo\nAda,7,ada.png\n\nShort,1\n" + "X" * 2001 + ",2,x.png\n"
    _, rows = read_rows(csv_text)

    items = list(expand(DOCUMENT, rows))

    assert [item.error is None for item in items] == [True, False, False]
    assert str(items[1].error) == "line 4: has 2 values for 3 columns"
    assert str(items[2].error) == (
        "line 5: areas.front.layers[0].text: must be at most 2000 characters"
    )


def test_filled_values_are_not_scanned_again() -> None:
    _, rows = read_rows("name,number,photo\n{{number}},1,a.png\n")

    filled = fill(DOCUMENT, rows[0])

    assert filled["areas"]["front"]["layers"][0]["text"] == "Hello {{number}}, #1"


@pytest.mark.parametrize(
    ("_case", "csv_text", "message"),
    [
        ("empty", "", "the CSV file is empty"),
        ("duplicate column", "a,b,a\n1,2,3\n", "columns named twice: a"),
    ],
)
def test_unusable_csv_files_are_refused(_case: str, csv_text: str, message: str) -> None:
    with pytest.raises(DesignError, match=message):
        read_rows(csv_text)


# ---------------------------------------------------------------- luneo render --csv


@pytest.fixture
def luneo(fonts: FontRegistry) -> click.Group:
    @click.group()
    def cli() -> None:
        """A stand-in for the luneo group."""

    register_render_command(cli)
    return cli


def _bulk_files(tmp_path: Path, rows: str) -> list[str]:
    (tmp_path / "photos").mkdir()
    for name in ("ada.png", "grace.png"):
        (tmp_path / "photos" / name).write_bytes(picture((120, 120)))
    (tmp_path / "design.json").write_text(json.dumps(DOCUMENT))
    area = {"key": "front", "width_mm": 40, "height_mm": 20, "dpi": 100, "bleed_mm": 2}
    (tmp_path / "template.json").write_text(json.dumps({"print_areas": [area]}))
    (tmp_path / "rows.csv").write_text(rows)
    return [
        "render",
        str(tmp_path / "design.json"),
        "--template",
        str(tmp_path / "template.json"),
        "--csv",
        str(tmp_path / "rows.csv"),
        "--out",
        str(tmp_path / "out"),
    ]


def test_bulk_renders_one_set_per_row_and_reports_the_bad_one(
    luneo: click.Group, tmp_path: Path
) -> None:
    rows = "name,number,photo\nAda,7,ada.png\nNobody,8,missing.png\nGrace,10,grace.png\n"
    args = _bulk_files(tmp_path, rows)

    result = CliRunner().invoke(luneo, args)

    assert result.exit_code == 1
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["1", "3"]
    for row in ("1", "3"):
        assert sorted(p.name for p in (out / row).iterdir()) == ["front.pdf", "front.png"]
        with Image.open(out / row / "front.png") as png:
            assert png.size == (173, 94)
    assert "Rendered 2 of 3 row(s)" in result.output
    assert (
        "FAILED line 3: areas.front.layers[1].src: the file 'photos/missing.png' was not found"
        in result.output
    )
    assert "Error: 1 of 3 row(s) could not be rendered" in result.output


def test_bulk_names_folders_after_a_column(luneo: click.Group, tmp_path: Path) -> None:
    rows = "name,number,photo\nAda Lovelace,7,ada.png\nAda Lovelace,8,grace.png\n../x,9,ada.png\n"
    args = _bulk_files(tmp_path, rows)

    result = CliRunner().invoke(luneo, [*args, "--name-column", "name", "--format", "png"])

    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["Ada-Lovelace", "Ada-Lovelace-2", "x"]
    assert (tmp_path / "out" / "Ada-Lovelace-2" / "front.png").is_file()


def test_bulk_with_a_column_the_design_needs_missing_renders_nothing(
    luneo: click.Group, tmp_path: Path
) -> None:
    args = _bulk_files(tmp_path, "name,photo\nAda,ada.png\n")

    result = CliRunner().invoke(luneo, args)

    assert result.exit_code == 1
    assert "the design uses {{number}} but the CSV has no such column" in result.output
    assert not (tmp_path / "out").exists()


def test_rows_fill_field_values_and_the_fields_draw_them(fonts: FontRegistry) -> None:
    from app.design import TemplateSpec

    box = {"x_mm": 2, "y_mm": 2, "width_mm": 40, "height_mm": 10}
    template = TemplateSpec.from_dict(
        {
            "print_areas": [{"key": "front", "width_mm": 50, "height_mm": 30}],
            "fields": [
                {"id": "name", "kind": "text", "label": "Name", "area": "front", "box": box},
                {"id": "photo", "kind": "photo", "label": "Photo", "area": "front", "box": box},
            ],
        }
    )
    document = {
        "version": 1,
        "fields": {"name": "Dear {{name}}", "photo": {"src": "photos/{{photo}}"}},
    }
    header, rows = read_rows("name,photo\nAda,ada.png\n")

    (item,) = expand(document, rows, template)

    assert placeholders(document) == {"name", "photo"}
    assert item.design is not None
    photo, name = item.design.areas["front"]
    assert isinstance(photo, ImageLayer)
    assert isinstance(name, TextLayer)
    assert (photo.src, photo.field, name.text, name.field) == (
        "photos/ada.png",
        "photo",
        "Dear Ada",
        "name",
    )
