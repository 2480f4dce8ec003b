"""A request is signed in by one mechanism: a Shopify session token in the query of a write is no
credential, and a cookie session always needs its CSRF token (issue #15, item 6).

The attacker owns a Shopify shop with Luneo installed, so they can mint a valid session token for
it; they make a signed-in WooCommerce merchant's browser POST to Luneo with that token in the URL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Membership, ProductionJob, ProductionStatus, Shop, TeamInvitation
from tests.factories import make_shop
from tests.integration.accounts.conftest import Browser, csrf_of
from tests.integration.accounts.test_tenancy import Tenant, api_csrf, make_tenant
from tests.support.shopify import session_token

ATTACKER_SHOP = "attacker.myshopify.com"


@pytest.fixture
def alice(session: Session) -> Tenant:
    tenant = make_tenant(session, "alice", "alice@alice.test")
    session.commit()
    return tenant


@pytest.fixture
def attacker_token(session: Session) -> str:
    make_shop(session, domain=ATTACKER_SHOP)  # installed: its tokens verify
    session.commit()
    return session_token(ATTACKER_SHOP)


@pytest.fixture
def as_alice(browser: Browser, alice: Tenant) -> Browser:
    assert browser.sign_in("alice@alice.test").status_code == 302
    return browser


def _invitations(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(TeamInvitation)) or 0


def test_a_query_token_does_not_stand_in_for_the_csrf_token_of_a_team_invitation(
    as_alice: Browser, session: Session, attacker_token: str
) -> None:
    answer = as_alice.client.post(
        f"/account/team/invitations?id_token={attacker_token}",
        data={"email": "attacker@evil.test", "role": "owner"},
    )

    assert answer.status_code == 403
    assert _invitations(session) == 0
    assert [m for m in as_alice.outbox.outbox if m.to == "attacker@evil.test"] == []


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account/team/invitations", {"email": "attacker@evil.test", "role": "owner"}),
        ("/account/stores/disconnect", {}),
        ("/account/sign-out", {}),
        ("/account/shop", {"shop_id": "1"}),
    ],
)
@pytest.mark.parametrize("where", ["query", "header"])
def test_no_session_token_stands_in_for_the_csrf_token_of_an_account_form(
    as_alice: Browser,
    alice: Tenant,
    session: Session,
    attacker_token: str,
    path: str,
    data: dict[str, str],
    where: str,
) -> None:
    if where == "query":
        answer = as_alice.client.post(f"{path}?id_token={attacker_token}", data=data)
    else:
        headers = {"Authorization": f"Bearer {attacker_token}"}
        answer = as_alice.client.post(path, data=data, headers=headers)

    assert answer.status_code == 403
    assert _invitations(session) == 0
    shop = session.get(Shop, alice.shop.id)
    assert shop is not None
    assert shop.is_installed
    assert as_alice.client.get("/account/team").status_code == 200  # still signed in


def test_an_admin_api_write_with_a_query_token_is_a_cookie_write_and_needs_the_csrf_token(
    as_alice: Browser, alice: Tenant, session: Session, attacker_token: str
) -> None:
    url = f"/api/admin/production-jobs/{alice.job_id}/retry?id_token={attacker_token}"

    answer = as_alice.client.post(url)

    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "csrf_failed"
    session.expire_all()
    job = session.get(ProductionJob, alice.job_id)
    assert job is not None
    assert job.status is ProductionStatus.FAILED
    with_token = as_alice.client.post(url, headers=api_csrf(as_alice))
    assert with_token.status_code == 200  # the cookie session, for alice's own shop


def test_a_page_load_with_a_token_still_decides_by_the_token_alone(
    as_alice: Browser, attacker_token: str
) -> None:
    answer = as_alice.client.get(f"/api/admin/shop?id_token={attacker_token}")

    assert answer.json["shop"]["domain"] == ATTACKER_SHOP


def test_the_csrf_token_still_lets_an_owner_invite(
    as_alice: Browser, alice: Tenant, session: Session
) -> None:
    token = csrf_of(as_alice.client.get("/account/team").text)

    answer = as_alice.client.post(
        "/account/team/invitations",
        data={"csrf_token": token, "email": "sam@alice.test", "role": "staff"},
    )

    assert answer.status_code == 302
    assert _invitations(session) == 1
    assert session.scalar(select(func.count()).select_from(Membership)) == 1
