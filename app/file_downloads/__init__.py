"""Signed downloads of locally stored files: ``GET /files/<key>?expires=…&signature=…``.

The signature is the only guard: the link is the credential, handed out by
``Storage.download_url`` to whoever may fetch the file, and valid until ``expires``. With an S3
backend links are presigned by the bucket and this route answers 404.

The storefront widget runs on the store's origin and draws these files (mockups, AI images,
shoppers' photos) on its canvases, which needs CORS: every answer, the 304s, ranges and refusals
included, is readable from any origin (``*``, never with credentials: no cookie is involved, the
link itself is the credential) and embeddable by a page that isolates itself (CORP).
"""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, request, send_file

from app.errors import ApiError, NotFound
from app.extensions import get_storage
from app.storage import DownloadDenied, InvalidKey, LocalStorage

if TYPE_CHECKING:
    from app.storage import UrlBuilder

bp = Blueprint("files", __name__)


@bp.after_request
def _cross_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


DOWNLOAD_ENDPOINT = "files.download"


def make_url_builder(app: Flask) -> UrlBuilder:
    """Build absolute download URLs from this app's routing, in or out of a request.

    Outside a request Flask needs ``SERVER_NAME`` (and ``PREFERRED_URL_SCHEME``) to know the
    host; without it url_for raises, which beats mailing out a link with no host.
    """

    def build(key: str, params: dict[str, str]) -> str:
        return app.url_for(DOWNLOAD_ENDPOINT, key=key, _external=True, **params)

    return build


@bp.get("/files/<path:key>")
def download(key: str) -> Response:
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        raise NotFound("No such file.")
    filename = request.args.get("filename") or None
    try:
        remaining = storage.verify_download(
            key, request.args.get("expires"), request.args.get("signature"), filename
        )
        path = storage.path_for(key)
    except DownloadDenied as exc:
        raise ApiError(403, exc.code, str(exc)) from None
    except InvalidKey:
        raise NotFound("No such file.") from None
    if not path.is_file():
        raise NotFound("The file no longer exists.")
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=filename is not None,
        download_name=filename or path.name,
        conditional=True,
        max_age=None,
    )
    response.headers["Cache-Control"] = f"private, max-age={remaining}"
    # Stored files may be user uploads (SVG, HTML): never let one run script on our origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
