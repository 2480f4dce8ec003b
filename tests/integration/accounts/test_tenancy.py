"""Two WooCommerce merchants on one Luneo: neither reaches the other's data, however they try.

Also the team roles (staff cannot manage the team or disconnect) and the standalone admin's
security headers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    FileKind,
    Membership,
    Platform,
    ProductionJob,
    ProductionStatus,
    Role,
    Shop,
    StoredFile,
    TeamInvitation,
    Template,
)
from tests.factories import make_design, make_order, make_product, make_shop, make_template
from tests.integration.accounts.conftest import Browser, csrf_of, link_in, make_member, make_user


@dataclass(frozen=True)
class Tenant:
    shop: Shop
    product_id: int
    template_id: int
    order_id: int
    job_id: int
    file_id: int


def make_tenant(session: Session, name: str, email: str) -> Tenant:
    shop = make_shop(
        session, platform=Platform.WOOCOMMERCE, domain=f"{name}.test", name=name.title()
    )
    product = make_product(session, shop, title=f"{name.title()} Mug", external_id=f"{name}-1")
    template = make_template(session, product)
    design = make_design(session, template)
    order = make_order(session, shop, design, name=f"#{name}-1001")
    job = ProductionJob(
        shop_id=shop.id,
        order_item_id=order.items[0].id,
        design_id=design.id,
        status=ProductionStatus.QUEUED,
    )
    job.move_to(ProductionStatus.FAILED, error=f"{name} failure")
    session.add(job)
    stored = StoredFile(
        shop_id=shop.id,
        key=f"shops/{shop.id}/mockup/{name}.png",
        kind=FileKind.MOCKUP,
        content_type="image/png",
        size=3,
        sha256="0" * 64,
    )
    session.add(stored)
    make_member(session, make_user(session, email), shop, Role.OWNER)
    session.flush()
    return Tenant(shop, product.id, template.id, order.id, job.id, stored.id)


@pytest.fixture
def alice(session: Session) -> Tenant:
    tenant = make_tenant(session, "alice", "alice@alice.test")
    session.commit()
    return tenant


@pytest.fixture
def mallory(session: Session) -> Tenant:
    tenant = make_tenant(session, "mallory", "mallory@mallory.test")
    session.commit()
    return tenant


@pytest.fixture
def as_mallory(browser: Browser, mallory: Tenant, alice: Tenant) -> Browser:
    assert browser.sign_in("mallory@mallory.test").status_code == 302
    return browser


def api_csrf(browser: Browser) -> dict[str, str]:
    return {"X-CSRF-Token": csrf_of(browser.client.get("/admin/").text)}


# ------------------------------------------------------------------- cross-tenant reads
def test_each_merchant_sees_only_their_own_store(as_mallory: Browser, alice: Tenant) -> None:
    pages = "".join(
        as_mallory.client.get(p).text for p in ("/admin/", "/admin/products", "/admin/orders")
    )

    assert "Mallory Mug" in pages
    assert "#mallory-1001" in pages
    assert "Alice" not in pages
    assert "#alice-1001" not in pages
    assert as_mallory.client.get("/api/admin/shop").json["shop"]["domain"] == "mallory.test"


@pytest.mark.parametrize(
    ("_case", "path"),
    [
        ("template page", "/admin/products/{product_id}/template"),
        ("order page", "/admin/orders/{order_id}"),
        ("template API", "/api/admin/products/{product_id}/template"),
    ],
)
def test_another_merchants_ids_are_not_found(
    as_mallory: Browser, alice: Tenant, _case: str, path: str
) -> None:
    answer = as_mallory.client.get(
        path.format(product_id=alice.product_id, order_id=alice.order_id)
    )

    assert answer.status_code == 404
    assert "Alice" not in answer.text


@pytest.mark.parametrize(
    ("_case", "method", "path", "body"),
    [
        ("make customizable", "POST", "/api/admin/products/{product_id}/template", None),
        (
            "save template",
            "PUT",
            "/api/admin/products/{product_id}/template",
            {"name": "stolen", "print_areas": []},
        ),
        ("retry production", "POST", "/api/admin/production-jobs/{job_id}/retry", None),
    ],
)
def test_another_merchants_ids_cannot_be_written(
    as_mallory: Browser,
    alice: Tenant,
    session: Session,
    _case: str,
    method: str,
    path: str,
    body: object,
) -> None:
    url = path.format(product_id=alice.product_id, job_id=alice.job_id)

    answer = as_mallory.client.open(url, method=method, json=body, headers=api_csrf(as_mallory))

    assert answer.status_code == 404
    session.expire_all()
    assert session.get(ProductionJob, alice.job_id).status is ProductionStatus.FAILED  # type: ignore[union-attr]
    template = session.get(Template, alice.template_id)
    assert template is not None
    assert template.name != "stolen"


def test_another_merchants_mockup_file_cannot_be_used(
    as_mallory: Browser, alice: Tenant, mallory: Tenant, session: Session
) -> None:
    from tests.integration.admin.test_template_api import with_area

    url = f"/api/admin/products/{mallory.product_id}/template"
    body = with_area(mockup_file_id=alice.file_id)

    answer = as_mallory.client.put(url, json=body, headers=api_csrf(as_mallory))

    assert answer.status_code == 400
    assert answer.json["error"]["fields"] == {
        "print_areas[0].mockup_file_id": "This mockup is not one of your uploads: upload it again."
    }


def test_switching_to_a_shop_you_are_not_a_member_of_is_refused(
    as_mallory: Browser, alice: Tenant
) -> None:
    token = csrf_of(as_mallory.client.get("/admin/").text)

    answer = as_mallory.client.post(
        "/account/shop", data={"csrf_token": token, "shop_id": str(alice.shop.id)}
    )

    assert answer.status_code == 404
    assert as_mallory.client.get("/api/admin/shop").json["shop"]["domain"] == "mallory.test"


def test_a_forged_session_shop_id_shows_nothing_of_the_other_shop(
    as_mallory: Browser, alice: Tenant
) -> None:
    with as_mallory.client.session_transaction() as cookie_session:
        cookie_session["shop_id"] = alice.shop.id  # what a tampered cookie could claim

    assert as_mallory.client.get("/admin/").location == "/account/stores"
    assert as_mallory.client.get("/api/admin/shop").status_code == 401


def test_team_actions_on_another_shops_rows_are_refused(
    as_mallory: Browser, alice: Tenant, session: Session
) -> None:
    alice_membership = session.scalars(
        select(Membership).where(Membership.shop_id == alice.shop.id)
    ).one()
    invitation = TeamInvitation(
        shop_id=alice.shop.id,
        email="x@alice.test",
        role=Role.STAFF,
        token_digest="0" * 64,
        expires_at=alice_membership.created_at.replace(year=2099),
    )
    session.add(invitation)
    session.commit()
    token = csrf_of(as_mallory.client.get("/account/team").text)

    removed = as_mallory.client.post(
        f"/account/team/members/{alice_membership.id}/remove", data={"csrf_token": token}
    )
    revoked = as_mallory.client.post(
        f"/account/team/invitations/{invitation.id}/revoke", data={"csrf_token": token}
    )

    assert (removed.status_code, revoked.status_code) == (404, 404)
    session.expire_all()
    assert session.get(Membership, alice_membership.id) is not None
    assert session.get(TeamInvitation, invitation.id) is not None


def test_api_writes_with_the_account_session_need_the_csrf_token(
    as_mallory: Browser, mallory: Tenant, session: Session
) -> None:
    answer = as_mallory.client.post(f"/api/admin/production-jobs/{mallory.job_id}/retry")

    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "csrf_failed"
    session.expire_all()
    assert session.get(ProductionJob, mallory.job_id).status is ProductionStatus.FAILED  # type: ignore[union-attr]
    ok = as_mallory.client.post(
        f"/api/admin/production-jobs/{mallory.job_id}/retry", headers=api_csrf(as_mallory)
    )
    assert ok.status_code == 200


# ----------------------------------------------------------------------------- team
def test_owner_invites_staff_who_cannot_manage_the_team_or_disconnect(
    browser: Browser, other_browser: Browser, alice: Tenant, session: Session
) -> None:
    browser.sign_in("alice@alice.test")
    sent = browser.post_form(
        "/account/team/invitations",
        {"email": "Sam@Alice.test", "role": "staff"},
        csrf_from="/account/team",
    )
    assert sent.status_code == 302
    link = link_in(browser.last_mail_to("sam@alice.test"))
    other_browser.sign_up("sam@alice.test")

    joined = other_browser.post_form(link, {}, csrf_from=link)

    assert joined.location == "/admin/"
    assert "Alice Mug" in other_browser.client.get("/admin/products").text
    assert other_browser.client.get(link).status_code == 200  # shows "cannot be used" now
    assert "cannot be used" in other_browser.client.get(link).text
    token = csrf_of(other_browser.client.get("/account/team").text)
    for path in ("/account/stores/disconnect", "/account/team/invitations"):
        answer = other_browser.client.post(path, data={"csrf_token": token, "email": "x@y.test"})
        assert answer.status_code == 403
    assert (
        session.scalar(
            select(func.count())
            .select_from(TeamInvitation)
            .where(TeamInvitation.accepted_at.is_(None))
        )
        == 0
    )

    sam = session.scalars(
        select(Membership).where(Membership.shop_id == alice.shop.id, Membership.role == Role.STAFF)
    ).one()
    owner_token = csrf_of(browser.client.get("/account/team").text)
    browser.client.post(f"/account/team/members/{sam.id}/remove", data={"csrf_token": owner_token})

    assert other_browser.client.get("/admin/products").location == "/account/stores"


def test_an_invitation_only_works_for_the_invited_address(
    browser: Browser, other_browser: Browser, alice: Tenant, mallory: Tenant, session: Session
) -> None:
    browser.sign_in("alice@alice.test")
    browser.post_form(
        "/account/team/invitations",
        {"email": "sam@alice.test", "role": "owner"},
        csrf_from="/account/team",
    )
    link = link_in(browser.last_mail_to("sam@alice.test"))
    other_browser.sign_in("mallory@mallory.test")

    answer = other_browser.post_form(link, {}, csrf_from=link)

    assert answer.status_code == 400
    assert "for sam@alice.test" in answer.text
    members = session.scalars(select(Membership).where(Membership.shop_id == alice.shop.id))
    assert len(list(members)) == 1


# -------------------------------------------------------------------------- headers
def test_standalone_pages_are_never_framed_and_send_the_security_headers(
    as_mallory: Browser,
) -> None:
    for path in ("/admin/", "/account/stores", "/account/sign-in", "/api/admin/shop"):
        answer = as_mallory.client.get(path, base_url="https://luneo.test")
        assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'", path
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_hsts_over_plain_http_in_development(browser: Browser) -> None:
    answer = browser.client.get("/account/sign-in", base_url="http://luneo.test")

    assert "Strict-Transport-Security" not in answer.headers
    assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
