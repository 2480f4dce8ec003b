"""Tenancy: every shop-owned row is reached through its shop, and never through another."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.api_error import NotFound
from app.models import Order, Product, ShopScope, owned_row
from tests.factories import make_order, make_product, make_shop


def test_scope_sees_only_its_own_shops_rows(session: Session) -> None:
    shop_a, shop_b = make_shop(session), make_shop(session)
    mine = make_product(session, shop_a, title="Mug A")
    theirs = make_product(session, shop_b, title="Mug B")
    make_order(session, shop_b)

    scope = ShopScope(session, shop_a.id)

    assert [p.title for p in scope.all(Product, Product.id)] == ["Mug A"]
    assert scope.get(Product, mine.id) is mine
    assert scope.get(Product, theirs.id) is None
    assert scope.get_by(Product, external_id=theirs.external_id) is None
    assert scope.count(Product) == 1
    assert scope.count(Order) == 0


def test_scope_add_sets_the_shop_and_refuses_another_shops_row(session: Session) -> None:
    shop_a, shop_b = make_shop(session), make_shop(session)
    scope = ShopScope(session, shop_a.id)

    added = scope.add(Product(external_id="gid://shopify/Product/1", title="Tee"))

    assert added.shop_id == shop_a.id
    with pytest.raises(PermissionError):
        scope.add(Product(shop_id=shop_b.id, external_id="gid://shopify/Product/2", title="x"))


def test_same_external_id_is_one_row_per_shop_but_allowed_across_shops(session: Session) -> None:
    shop_a, shop_b = make_shop(session), make_shop(session)
    make_product(session, shop_a, external_id="gid://shopify/Product/42")
    make_product(session, shop_b, external_id="gid://shopify/Product/42")

    with pytest.raises(IntegrityError):
        make_product(session, shop_a, external_id="gid://shopify/Product/42")


def test_deleting_a_shop_deletes_everything_it_owns(session: Session) -> None:
    shop = make_shop(session)
    make_product(session, shop)
    make_order(session, shop)
    other = make_shop(session)
    make_product(session, other)

    session.delete(shop)
    session.flush()
    session.expire_all()

    assert ShopScope(session, shop.id).count(Product) == 0
    assert ShopScope(session, shop.id).count(Order) == 0
    assert ShopScope(session, other.id).count(Product) == 1


def test_get_or_404_is_a_not_found_for_another_shops_row_a_missing_row_and_no_id(
    session: Session,
) -> None:
    shop_a, shop_b = make_shop(session), make_shop(session)
    mine = make_product(session, shop_a)
    theirs = make_product(session, shop_b)
    scope = ShopScope(session, shop_a.id)

    assert scope.get_or_404(Product, mine.id, "No such product.") is mine
    for row_id in (theirs.id, theirs.id + 1000, 2**31, None):
        with pytest.raises(NotFound) as refused:
            scope.get_or_404(Product, row_id, "No such product.")
        assert (refused.value.status, refused.value.code) == (404, "not_found")
        assert refused.value.message == "No such product."


def test_owned_row_matches_every_owner_column(session: Session) -> None:
    shop_a, shop_b = make_shop(session), make_shop(session)
    mine = make_product(session, shop_a)

    assert owned_row(session, Product, mine.id, shop_id=shop_a.id) is mine
    assert owned_row(session, Product, mine.id, shop_id=shop_b.id) is None
    assert owned_row(session, Product, 0, shop_id=shop_a.id) is None
