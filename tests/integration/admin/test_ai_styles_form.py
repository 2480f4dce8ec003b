"""The AI page's style presets as a form (issue #21): rows of label and prompt prefix, keys made
from labels, per-row problems, and the same form posted without JavaScript."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.generation import settings as ai_settings
from app.models import Shop, ShopScope


def _form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def test_the_page_names_the_provider_and_offers_rows_not_raw_text(
    cookie_client: FlaskClient,
) -> None:
    page = cookie_client.get("/admin/ai")

    assert page.status_code == 200
    assert "Images are made offline (development preview)." in page.text
    assert "Generated offline" not in page.text
    assert "key | label | prefix" not in page.text
    # the five default styles, then three blank rows
    assert page.text.count("data-style-row>") == 8
    assert 'value="Watercolour"' in page.text


def test_the_form_saves_without_javascript_and_makes_keys_from_labels(
    cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    token = _form_token(cookie_client.get("/admin/ai").text)
    saved = cookie_client.post(
        "/admin/ai/settings",
        data={
            "csrf_token": token,
            "styles-0-key": "watercolour",
            "styles-0-label": "Watercolour",
            "styles-0-prefix": "A soft watercolour painting of",
            "styles-1-key": "photo",
            "styles-1-label": "Photo",
            "styles-1-prefix": "A photo of",
            "styles-1-remove": "1",
            "styles-2-key": "",
            "styles-2-label": "Néon sign",
            "styles-2-prefix": "A glowing neon sign of",
            "styles-3-key": "",
            "styles-3-label": "",
            "styles-3-prefix": "",
            "deny_terms": "Acme",
        },
    )

    assert saved.status_code == 303
    assert saved.headers["Location"].endswith("/admin/ai?saved=1")
    styles = ai_settings.styles(ShopScope(session, shop.id))
    assert [(s.key, s.label) for s in styles] == [
        ("watercolour", "Watercolour"),
        ("neon-sign", "Néon sign"),
    ]
    assert ai_settings.deny_terms(ShopScope(session, shop.id)) == ["acme"]


def test_each_bad_row_is_named_on_the_page_and_nothing_is_saved(
    cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    token = _form_token(cookie_client.get("/admin/ai").text)
    answer = cookie_client.post(
        "/admin/ai/settings",
        data={
            "csrf_token": token,
            "styles-0-label": "No prefix",
            "styles-0-prefix": "",
            "styles-1-label": "",
            "styles-1-prefix": "A prefix without a label",
            "deny_terms": "",
        },
    )

    assert answer.status_code == 400
    assert "Give the words put before the shopper&#39;s prompt." in answer.text
    assert "Give the style a label shoppers will see." in answer.text
    assert 'value="A prefix without a label"' in answer.text  # what was typed stays
    assert answer.text.count('aria-invalid="true"') == 2
    assert [s.key for s in ai_settings.styles(ShopScope(session, shop.id))][0] == "watercolour"


def test_the_json_api_answers_every_rows_problem(
    cookie_client: FlaskClient, csrf: dict[str, str]
) -> None:
    answer = cookie_client.put(
        "/api/admin/ai/settings",
        json={"styles": [{"label": "A", "prefix": ""}, {"label": "", "prefix": "b"}]},
        headers=csrf,
    )

    assert answer.status_code == 400
    assert set(answer.json["error"]["fields"]) == {"styles.0.prefix", "styles.1.label"}


def test_the_form_without_its_csrf_token_is_refused(
    cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    answer = cookie_client.post(
        "/admin/ai/settings", data={"styles-0-label": "X", "styles-0-prefix": "y"}
    )

    assert answer.status_code == 403
    assert ai_settings.settings_row(ShopScope(session, shop.id)) is None


def test_a_long_label_gets_a_short_unique_key() -> None:
    taken = {"line-art"}
    assert ai_settings.key_for_label("Line art", taken) == "line-art-2"
    assert ai_settings.key_for_label("★★★", set()) == "style"
