"""A design's image refs resolved to bytes, only ever among its own shop's files.

A ref is a storage key (``shops/<id>/uploads/…``), ``file:<StoredFile id>``, or one of the
shop's own clipart pieces (``clipart:shop-<set id>/<name>``, ``product_templates.shop_clipart``).
Anything that is not one of this shop's uploads, generated images or clipart is reported to the
render core as missing (a LookupError, which it turns into a DesignError naming the layer), so a
document can never pull another shop's file into a print. A storage outage is different: it raises
``AssetUnavailable`` so the job is retried instead of refused.
"""

from __future__ import annotations

from app.design import AssetSource
from app.design.clipart import is_clipart_ref
from app.design.images import MAX_BYTES
from app.design.refs import FILE_REF
from app.models import FileKind, ShopScope, StoredFile
from app.product_templates import shop_clipart
from app.storage import MissingFile, Storage, key_belongs_to_shop

# What a design may place: the shopper's uploads, generated images, the merchant's mockups.
IMAGE_KINDS = frozenset({FileKind.UPLOAD, FileKind.AI_IMAGE, FileKind.MOCKUP})


class AssetUnavailable(RuntimeError):
    """Storage could not be read right now: an infrastructure error, worth a retry."""


def stored_file_for_ref(scope: ShopScope, ref: str) -> StoredFile | None:
    """The shop's image file a ref names, or None (unknown, another shop's, not an image)."""
    match = FILE_REF.fullmatch(ref)
    if match:
        stored = scope.get(StoredFile, int(match.group(1)))
    elif key_belongs_to_shop(ref, scope.shop_id):
        stored = scope.get_by(StoredFile, key=ref)
    else:
        stored = None
    return stored if stored is not None and stored.kind in IMAGE_KINDS else None


def shop_assets(scope: ShopScope, storage: Storage) -> AssetSource:
    """An AssetSource for the render core; each file is read once per run (preflight + outputs)."""
    cache: dict[str, bytes] = {}

    def read(ref: str) -> bytes:
        if ref not in cache:
            own = shop_clipart.piece_for_ref(scope, ref) if is_clipart_ref(ref) else None
            stored = own[1] if own is not None else stored_file_for_ref(scope, ref)
            if stored is None:
                raise LookupError(ref)
            cache[ref] = _read(storage, stored.key, ref)
        return cache[ref]

    return read


def _read(storage: Storage, key: str, ref: str) -> bytes:
    try:
        with storage.open(key) as stream:
            return stream.read(MAX_BYTES + 1)  # one byte over is enough to be refused as too big
    except MissingFile:
        raise LookupError(ref) from None
    except Exception as exc:
        raise AssetUnavailable(f"could not read {ref!r} from storage: {exc}") from exc
