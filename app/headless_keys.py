"""A store's headless key: the public key a custom storefront sends (``X-Luneo-Key``) and the
browser origins allowed to call Luneo's storefront API with it (``/storefront/headless/v1``).

Like a WooCommerce store's storefront key it is an identifier, not a secret: it sits in the
storefront's JavaScript. What a page on another site cannot produce is the pair of the key and
an allowed ``Origin``, which is what the surface's guard (``app.storefront.keyed_surface``)
requires. Origins are ``https://`` only, except ``http://localhost`` and ``http://127.0.0.1``
(any port) for development. Only the store's owners create, rotate, revoke or edit a key.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import HeadlessKey, HeadlessOrigin, Shop
from app.woocommerce.storefront_keys import origin_of

KEY_PREFIX = "lhk_"
MAX_ORIGINS = 20
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class OriginRefused(ValueError):
    """An origin the merchant typed that cannot be allowed; ``str()`` says why."""


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(24)


def allowed_origin(text: str) -> str:
    """``text`` as the ``Origin`` a browser sends, or :class:`OriginRefused` saying why not."""
    raw = text.strip()
    origin = origin_of(raw)
    if origin is None:
        raise OriginRefused(f"{raw[:80]!r} is not a web address (https://shop.example).")
    if "*" in origin:
        raise OriginRefused("Name each site: wildcards are not allowed.")
    local = urlsplit(origin).hostname in _LOCAL_HOSTS
    if origin.startswith("http://") and not local:
        raise OriginRefused(f"{origin} must use https:// (http:// is only for localhost).")
    return origin


def clean_origins(texts: Iterable[str]) -> list[str]:
    """The merchant's list as origins (duplicates and blank lines dropped), or OriginRefused."""
    origins: list[str] = []
    for text in texts:
        if not text.strip():
            continue
        origin = allowed_origin(text)
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise OriginRefused(f"At most {MAX_ORIGINS} sites can use one key.")
    return origins


def key_of(session: Session, shop: Shop) -> HeadlessKey | None:
    return session.scalars(select(HeadlessKey).where(HeadlessKey.shop_id == shop.id)).first()


def create_or_rotate(session: Session, shop: Shop) -> HeadlessKey:
    """The shop's key with a new value (created on first use; its origins are kept)."""
    row = key_of(session, shop)
    if row is None:
        row = HeadlessKey(shop_id=shop.id, key=new_key())
        session.add(row)
    else:
        row.key = new_key()
    session.flush()
    return row


def set_origins(session: Session, row: HeadlessKey, origins: list[str]) -> None:
    keep = {o.origin: o for o in row.origins}
    row.origins = [keep.get(o) or HeadlessOrigin(origin=o) for o in origins]
    session.flush()


def revoke(session: Session, shop: Shop) -> bool:
    row = key_of(session, shop)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def origins_of(row: HeadlessKey) -> list[str]:
    return [o.origin for o in row.origins]


def shop_for_key(session: Session, key: str) -> Shop | None:
    """The installed shop whose headless key is ``key``, if any."""
    if not key.startswith(KEY_PREFIX) or len(key) > 64:
        return None
    stmt = select(Shop).join(HeadlessKey, HeadlessKey.shop_id == Shop.id)
    shop = session.scalars(stmt.where(HeadlessKey.key == key)).one_or_none()
    return shop if shop is not None and shop.is_installed else None


def allowed_origins(session: Session, shop: Shop) -> frozenset[str]:
    row = key_of(session, shop)
    return frozenset(origins_of(row)) if row is not None else frozenset()


def origin_is_listed(session: Session, origin: str) -> bool:
    """Whether any installed shop's key allows ``origin`` (CORS preflights carry no key)."""
    normalized = origin_of(origin)
    if normalized is None or normalized != origin:  # exactly as browsers send it
        return False
    stmt = (
        select(Shop)
        .join(HeadlessKey, HeadlessKey.shop_id == Shop.id)
        .join(HeadlessOrigin, HeadlessOrigin.key_id == HeadlessKey.id)
        .where(HeadlessOrigin.origin == normalized)
    )
    return any(shop.is_installed for shop in session.scalars(stmt))
