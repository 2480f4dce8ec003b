"""The public clipart files the storefront picker shows and the widget draws."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask.testing import FlaskClient


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
