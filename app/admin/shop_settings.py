"""The settings page's read model: the shop's connection, its access scopes, its data exports.

Nothing here changes anything: the settings page is for looking (and for the one link that
restarts authorization when Luneo's access no longer covers what it needs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.models import FileKind, Platform, Shop, ShopScope, StoredFile

MAX_EXPORTS = 50


@dataclass(frozen=True)
class ScopeCheck:
    required: tuple[str, ...]
    granted: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class ExportRow:
    file: StoredFile
    url: str


@dataclass(frozen=True)
class ShopSettings:
    shop: Shop
    scopes: ScopeCheck
    exports: list[ExportRow]
    # Where re-authorization starts: Luneo in the shop's Shopify admin, which loads it signed
    # (an unsigned link to Luneo itself is refused); None outside Shopify.
    reauth_url: str | None = None

    @property
    def needs_reauth(self) -> bool:
        return self.shop.needs_reauth or bool(self.scopes.missing)


def parse_scopes(value: str | Iterable[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(sorted({s.strip() for s in items if s.strip()}))


def _covered(scope: str, granted: frozenset[str]) -> bool:
    # Shopify: a write_X scope implies read_X (it is not listed separately once granted).
    if scope in granted:
        return True
    return scope.startswith("read_") and "write_" + scope.removeprefix("read_") in granted


def check_scopes(shop: Shop, required: str | Iterable[str]) -> ScopeCheck:
    """The scopes Luneo asks for against those the shop granted; ``missing`` ones need reauth."""
    wanted = parse_scopes(required)
    granted = frozenset(parse_scopes(shop.scopes))
    missing = tuple(s for s in wanted if not _covered(s, granted))
    return ScopeCheck(required=wanted, granted=tuple(sorted(granted)), missing=missing)


def exports(scope: ShopScope, link: Callable[[StoredFile], str]) -> list[ExportRow]:
    """Data exports compiled for privacy requests, newest first, with signed download links."""
    stmt = (
        scope.select(StoredFile)
        .where(StoredFile.kind == FileKind.EXPORT)
        .order_by(StoredFile.created_at.desc(), StoredFile.id.desc())
        .limit(MAX_EXPORTS)
    )
    return [ExportRow(file=f, url=link(f)) for f in scope.session.scalars(stmt)]


def shop_settings(
    scope: ShopScope,
    shop: Shop,
    required_scopes: str,
    link: Callable[[StoredFile], str],
    shopify_admin_url: Callable[[str], str],
) -> ShopSettings:
    """Everything the settings page shows; scopes are Shopify's notion, so only checked there.

    ``shopify_admin_url`` names where a Shopify shop's admin opens Luneo (re-authorization).
    """
    if shop.platform is Platform.SHOPIFY:
        scopes = check_scopes(shop, required_scopes)
        reauth_url: str | None = shopify_admin_url(shop.domain)
    else:
        scopes = ScopeCheck(required=(), granted=parse_scopes(shop.scopes), missing=())
        reauth_url = None
    return ShopSettings(
        shop=shop, scopes=scopes, exports=exports(scope, link), reauth_url=reauth_url
    )
