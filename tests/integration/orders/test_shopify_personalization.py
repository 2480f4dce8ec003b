"""The order sync decides each Shopify line's personalization: paid, unpaid, missing or none.

Orders come from the local Shopify stand-in through the order webhook's sync job; production and
the recovery e-mail are what the workers do afterwards (``run_jobs``).
"""

from __future__ import annotations

from decimal import Decimal

from app.accounts.mailer import ConsoleMailer
from app.models import (
    Design,
    DesignStatus,
    OrderItem,
    Personalization,
    ProductionJob,
)
from standins.shopify import upstream_line, upstream_order
from tests.factories import make_design, make_product, make_shop, make_template

from .conftest import DOCUMENT, Mugs, now_stamp


def jobs(mugs: Mugs, item: OrderItem) -> list[ProductionJob]:
    return [
        j for j in mugs.scope.all(ProductionJob, ProductionJob.id) if j.order_item_id == item.id
    ]


def status(mugs: Mugs, design: Design) -> DesignStatus:
    mugs.session.refresh(design)
    return design.status


def order_with(mugs: Mugs, number: int, *lines: dict[str, object], **fields: object) -> None:
    mugs.store.add_orders(upstream_order(number, list(lines), updated_at=now_stamp(), **fields))


def test_a_paid_design_is_designed_frozen_and_produced(mugs: Mugs, outbox: ConsoleMailer) -> None:
    design = mugs.design()
    attributes = {"_luneo_design": design.public_id, "_luneo_price": mugs.price(design)}
    order_with(mugs, 1, upstream_line(11, mugs.mug, attributes=attributes))

    (item,) = mugs.sync(1).items

    assert item.personalization is Personalization.DESIGNED
    assert (item.surcharge, item.expected_surcharge) == (Decimal("4.00"), Decimal("4.00"))
    assert item.design_id == design.id
    assert status(mugs, design) is DesignStatus.ORDERED
    assert len(jobs(mugs, item)) == 1
    # no recovery mail; the mail with the link to change the design (app.sync.order_edits)
    (message,) = outbox.outbox
    assert message.subject == "Change your design for order #1001"


def test_more_than_the_expected_amount_is_paid_too(mugs: Mugs) -> None:
    design = mugs.design()
    attributes = {"_luneo_design": design.public_id, "_luneo_price": mugs.price(design, "5.00")}
    order_with(mugs, 1, upstream_line(11, mugs.mug, attributes=attributes))

    (item,) = mugs.sync(1).items

    assert item.personalization is Personalization.DESIGNED
    assert item.surcharge == Decimal("5.00")


def test_a_price_that_does_not_verify_leaves_the_line_unpaid_and_unproduced(mugs: Mugs) -> None:
    design, other = mugs.design(), mugs.design()
    signed_for_other = mugs.price(other)
    forged = mugs.price(design)[:-4] + "0000"
    too_little = mugs.price(design, "1.00")
    wrong_currency = mugs.price(design, "4.00", "USD")
    cases = [signed_for_other, forged, too_little, wrong_currency, "4.00", ""]
    lines = [
        upstream_line(
            20 + n, mugs.mug, attributes={"_luneo_design": design.public_id, "_luneo_price": v}
        )
        for n, v in enumerate(cases)
    ]
    order_with(mugs, 2, *lines)

    items = mugs.sync(2).items

    assert [item.personalization for item in items] == [Personalization.UNPAID] * len(cases)
    assert [item.surcharge for item in items] == [None, None, Decimal("1.00"), None, None, None]
    assert {item.expected_surcharge for item in items} == {Decimal("4.00")}
    assert all(item.design_id == design.id for item in items)
    assert mugs.scope.count(ProductionJob) == 0
    assert status(mugs, design) is DesignStatus.SAVED  # not frozen: nothing is produced


def test_a_design_of_another_product_is_unpaid_and_never_frozen(mugs: Mugs) -> None:
    cup_design = mugs.design(mugs.cup_template)
    attributes = {"_luneo_design": cup_design.public_id, "_luneo_price": mugs.price(cup_design)}
    order_with(mugs, 3, upstream_line(31, mugs.mug, attributes=attributes))

    (item,) = mugs.sync(3).items

    assert item.personalization is Personalization.UNPAID
    assert item.design_id == cup_design.id
    assert mugs.scope.count(ProductionJob) == 0
    assert status(mugs, cup_design) is DesignStatus.SAVED


def test_another_shops_design_is_not_linked_and_the_shopper_is_asked(
    mugs: Mugs, outbox: ConsoleMailer
) -> None:
    theirs = make_shop(mugs.session, domain="their-store.myshopify.com")
    their_template = make_template(mugs.session, make_product(mugs.session, theirs))
    foreign = make_design(
        mugs.session, their_template, document=DOCUMENT, status=DesignStatus.SAVED
    )
    mugs.session.commit()
    order_with(
        mugs, 4, upstream_line(41, mugs.mug, attributes={"_luneo_design": foreign.public_id})
    )

    (item,) = mugs.sync(4).items

    assert item.design_id is None
    assert item.personalization is Personalization.MISSING
    assert status(mugs, foreign) is DesignStatus.SAVED
    assert [m.to for m in outbox.outbox] == ["buyer4@example.com"]


def test_a_customizable_line_without_a_design_is_missing_and_mailed_once(
    mugs: Mugs, outbox: ConsoleMailer
) -> None:
    order_with(mugs, 5, upstream_line(51, mugs.mug), upstream_line(52, mugs.plate))

    missing, plain = mugs.sync(5).items

    assert missing.personalization is Personalization.MISSING
    assert plain.personalization is Personalization.NONE
    assert missing.recovery_sent_at is not None
    assert plain.recovery_sent_at is None
    assert mugs.scope.count(ProductionJob) == 0
    (message,) = outbox.outbox
    assert message.to == "buyer5@example.com"
    assert message.subject == "Add your design to order #1005"
    # on the store itself (its app proxy), where the editor kept the draft
    assert "https://mug-store.myshopify.com/apps/luneo/recover/" in message.text

    # the order is updated (and synced again, twice): no second e-mail
    mugs.store.orders["gid://shopify/Order/5"]["updatedAt"] = now_stamp()
    mugs.sync(5)
    mugs.sync(5)
    assert len(outbox.outbox) == 1


def test_a_free_design_needs_no_price(mugs: Mugs) -> None:
    mugs.mug_template.surcharge = Decimal("0")
    design = mugs.design()
    order_with(mugs, 6, upstream_line(61, mugs.mug, attributes={"_luneo_design": design.public_id}))

    (item,) = mugs.sync(6).items

    assert item.personalization is Personalization.DESIGNED
    assert (item.surcharge, item.expected_surcharge) == (Decimal("0.00"), Decimal("0.00"))
    assert len(jobs(mugs, item)) == 1


def test_no_mail_for_a_cancelled_order_or_an_order_older_than_the_template(
    mugs: Mugs, outbox: ConsoleMailer
) -> None:
    cancelled = upstream_order(7, [upstream_line(71, mugs.mug)], updated_at=now_stamp())
    cancelled["cancelledAt"] = now_stamp()
    older = upstream_order(8, [upstream_line(81, mugs.mug)], updated_at="2020-01-01T00:00:00Z")
    mugs.store.add_orders(cancelled, older)

    (in_cancelled,) = mugs.sync(7).items
    (in_older,) = mugs.sync(8).items

    assert in_cancelled.personalization is Personalization.MISSING
    assert in_cancelled.recovery_sent_at is None
    assert in_older.personalization is Personalization.NONE
    assert not outbox.outbox


def test_a_later_template_price_never_turns_a_paid_line_unpaid(mugs: Mugs) -> None:
    design = mugs.design()
    attributes = {"_luneo_design": design.public_id, "_luneo_price": mugs.price(design)}
    order_with(mugs, 9, upstream_line(91, mugs.mug, attributes=attributes))
    mugs.sync(9)

    mugs.mug_template.surcharge = Decimal("9.00")
    mugs.session.commit()
    mugs.store.orders["gid://shopify/Order/9"]["updatedAt"] = now_stamp()
    (item,) = mugs.sync(9).items

    assert item.personalization is Personalization.DESIGNED
    assert item.expected_surcharge == Decimal("4.00")


def test_a_line_in_production_keeps_its_design_whatever_a_later_update_says(
    mugs: Mugs, outbox: ConsoleMailer
) -> None:
    design = mugs.design()
    attributes = {"_luneo_design": design.public_id, "_luneo_price": mugs.price(design)}
    order_with(mugs, 10, upstream_line(101, mugs.mug, attributes=attributes))
    mugs.sync(10)

    # the line's properties are edited away upstream
    upstream = mugs.store.orders["gid://shopify/Order/10"]
    upstream["lineItems"][0]["customAttributes"] = []
    upstream["updatedAt"] = now_stamp()
    (item,) = mugs.sync(10).items

    assert item.personalization is Personalization.DESIGNED
    assert item.design_id == design.id
    assert len(jobs(mugs, item)) == 1
    assert not [m for m in outbox.outbox if m.subject.startswith("Add your design")]
