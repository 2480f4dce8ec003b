"""The public clipart and fonts the storefront editor draws with (the files the print uses)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask.testing import FlaskClient

from app.design.fonts import FAMILIES


def test_a_piece_is_served_as_a_locked_down_svg_to_any_origin(client: FlaskClient) -> None:
    response = client.get("/clipart/love/heart.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.lstrip().startswith(b"<svg")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "max-age" in response.headers["Cache-Control"]


def test_unknown_pieces_and_sets_are_404(client: FlaskClient) -> None:
    for path in ("/clipart/love/unicorn.svg", "/clipart/nope/heart.svg", "/clipart/love/..svg"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.is_json


def test_the_library_lists_every_set_with_absolute_urls(client: FlaskClient) -> None:
    body = client.get("/clipart/").json

    assert body["licence"] == "MIT"
    assert "Tabler" in body["attribution"]
    love = next(s for s in body["sets"] if s["set"] == "love")
    urls = [urlsplit(i["url"]) for i in love["items"]]
    assert all(u.scheme and u.netloc and u.path.startswith("/clipart/love/") for u in urls)
    assert all(client.get(u.path).status_code == 200 for u in urls)


def test_every_curated_family_has_its_web_font(client: FlaskClient) -> None:
    for family in FAMILIES:
        response = client.get(f"/fonts/{family.package}/latin-400-normal.woff2")
        assert response.status_code == 200, family.name
        assert response.mimetype == "font/woff2"
        assert response.data[:4] == b"wOF2"
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_font_is_404(client: FlaskClient) -> None:
    assert client.get("/fonts/comic-sans/latin-400-normal.woff2").status_code == 404
    assert client.get("/fonts/..%2Fetc/latin-400-normal.woff2").status_code == 404
