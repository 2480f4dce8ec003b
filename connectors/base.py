"""The contract every platform adapter meets: small Protocols per capability, plain records out.

Adapters do HTTP and mapping only; jobs persist the records. A capability is its own Protocol so
an adapter (and a test double) implements only what it can, and a job checks for the capability
it needs with ``isinstance`` (they are ``runtime_checkable``). Money is ``Decimal`` plus an ISO
currency code, never a float. Datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

# The hidden cart-line property that carries a Luneo design's public id (ARCHITECTURE.md, path 3).
DESIGN_PROPERTY = "_luneo_design"
# The surcharge the store charged per unit for the design (Luneo's amount string), written as hidden
# order line meta by the WordPress plugin; the order sync compares it with the design's price.
SURCHARGE_PROPERTY = "_luneo_surcharge"

ProductState = Literal["active", "draft", "archived"]

# (done, total, message): how long work reports how far it got; total 0 when unknown.
Progress = Callable[[int, int, str], None]


# ------------------------------------------------------------------------------ errors
class ConnectorError(Exception):
    """Base of everything an adapter raises on purpose."""


class AuthError(ConnectorError):
    """The store refused our credentials (401/403, revoked scope): the shop must re-authorize.

    Retrying cannot help, so jobs record it on the shop instead of retrying.
    """


class RetryableError(ConnectorError):
    """Throttled or the platform failed (429, 5xx, THROTTLED) even after the adapter's own retries.

    The job lets it propagate so the queue retries later with backoff.
    """


class PlatformError(ConnectorError):
    """The platform refused the request itself (invalid query, user errors): retrying won't help."""


class RecordError(ConnectorError):
    """One record from the platform is malformed: skip it, count it, carry on."""

    def __init__(self, external_id: str, reason: str) -> None:
        super().__init__(f"{external_id}: {reason}")
        self.external_id = external_id
        self.reason = reason


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class VariantRecord:
    external_id: str
    title: str
    sku: str
    price: Money
    position: int
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProductRecord:
    external_id: str
    title: str
    handle: str
    status: ProductState
    vendor: str
    product_type: str
    description: str
    image_url: str | None
    updated_at: datetime | None
    variants: tuple[VariantRecord, ...]


@dataclass(frozen=True)
class Address:
    """Only what printing and shipping need."""

    name: str
    address1: str
    address2: str
    city: str
    province: str
    zip: str
    country_code: str
    phone: str
    company: str = ""
    province_code: str = ""  # "OR" beside "Oregon": what a label prints


@dataclass(frozen=True)
class OrderLineRecord:
    external_id: str
    title: str
    sku: str
    quantity: int
    unit_price: Money
    product_external_id: str | None
    variant_external_id: str | None
    properties: Mapping[str, str]
    design_public_id: str | None  # from the DESIGN_PROPERTY line property, when present


@dataclass(frozen=True)
class OrderRecord:
    external_id: str
    name: str
    email: str | None
    total: Money
    financial_status: str
    fulfillment_status: str
    shipping_address: Address | None
    placed_at: datetime | None
    cancelled_at: datetime | None
    updated_at: datetime | None
    lines: tuple[OrderLineRecord, ...]
    # The platform's own secret of the order its buyer holds (WooCommerce's ``order_key``, in the
    # thank-you page's URL), by which the store's plugin may ask about the order; None elsewhere.
    access_key: str | None = None


@dataclass(frozen=True)
class SkippedRecord:
    """What an iterator yields in place of a malformed record, so one bad row never ends a sync."""

    kind: Literal["product", "order"]
    external_id: str
    reason: str


@dataclass(frozen=True)
class TrackingInfo:
    number: str | None = None
    url: str | None = None
    company: str | None = None


@dataclass(frozen=True)
class FulfillmentResult:
    """Fulfillments created on the platform; empty when every given line was already fulfilled."""

    fulfillment_ids: tuple[str, ...]


@dataclass(frozen=True)
class FileLink:
    """A print file for an order line, as the merchant and partner will see it."""

    line_id: str
    area: str
    format: str
    url: str


def design_id_from(properties: Mapping[str, str]) -> str | None:
    value = (properties.get(DESIGN_PROPERTY) or "").strip()
    return value or None


# ------------------------------------------------------------------------ capabilities
@runtime_checkable
class Catalog(Protocol):
    def iter_products(
        self, since: datetime | None, progress: Progress | None = None
    ) -> Iterator[ProductRecord | SkippedRecord]:
        """Products (with variants) changed since ``since``; every product when None."""
        ...

    def get_product(self, external_id: str) -> ProductRecord | None:
        """One product, or None if it no longer exists. Raises RecordError if malformed."""
        ...


@runtime_checkable
class CatalogExport(Protocol):
    """A whole-catalog export cheaper than paging (Shopify bulk operations)."""

    def count_products(self) -> int: ...

    def export_products(
        self, progress: Progress | None = None
    ) -> Iterator[ProductRecord | SkippedRecord]: ...


@runtime_checkable
class DeletionFeed(Protocol):
    """Products deleted upstream since a time: catches the deletes whose webhook was lost."""

    def iter_deleted_products(self, since: datetime) -> Iterator[str]: ...


@runtime_checkable
class Orders(Protocol):
    def iter_orders(
        self, since: datetime | None, progress: Progress | None = None
    ) -> Iterator[OrderRecord | SkippedRecord]:
        """Orders changed since ``since``; every order the platform lets us read when None."""
        ...

    def get_order(self, external_id: str) -> OrderRecord | None: ...


@runtime_checkable
class Fulfilment(Protocol):
    def create_fulfillment(
        self, order_id: str, line_ids: Sequence[str], tracking: TrackingInfo
    ) -> FulfillmentResult:
        """Mark the given order lines shipped with tracking; lines already shipped are skipped."""
        ...

    def update_tracking(
        self,
        order_id: str,
        line_ids: Sequence[str],
        fulfillment_ids: Sequence[str],
        tracking: TrackingInfo,
    ) -> None:
        """Replace the tracking of a shipment ``create_fulfillment`` made (its ``fulfillment_ids``
        for these lines); sending the same tracking again changes nothing."""
        ...


@runtime_checkable
class OrderFiles(Protocol):
    def attach_order_files(self, order_id: str, links: Sequence[FileLink]) -> None:
        """Make the print-file links visible on the order in the store's admin."""
        ...


@runtime_checkable
class Webhooks(Protocol):
    def ensure_webhooks(self, callback_url: str, topics: Sequence[str]) -> list[str]:
        """Make the store deliver ``topics`` to ``callback_url``; returns the topics it created."""
        ...


@runtime_checkable
class CommerceConnector(Catalog, Orders, Fulfilment, OrderFiles, Webhooks, Protocol):
    """Everything a full platform adapter offers (what ``connectors.for_shop`` returns)."""

    def close(self) -> None:
        """Release the adapter's connections."""
        ...
