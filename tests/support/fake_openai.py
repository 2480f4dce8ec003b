"""A local stand-in for the OpenAI HTTP API, from its public reference (not from our code).

Serves ``POST /v1/images/generations`` (``ImagesResponse``: ``created``, ``data[].b64_json``,
``background``, ``output_format``, ``quality``, ``size``, ``usage``; ``n`` images, 1 to 10, each
``data`` entry its own picture; another ``n`` is a 400 ``invalid_request_error`` naming ``n``),
``POST /v1/images/edits`` (multipart: ``image`` file, ``prompt``, ``background``, ...; the same
``ImagesResponse``; with ``size=auto`` the output is the standard size nearest the input's
proportions, the input redrawn with its backdrop, the colour of its corner, transparent) and
``POST /v1/moderations``
(``id``, ``model``, ``results[]`` with ``flagged``, ``categories``, ``category_scores``,
``category_applied_input_types``) on 127.0.0.1, in a thread. Failures are scripted per endpoint:
an error status with OpenAI's error object (``{"error": {"message", "type", "param", "code"}}``)
and optional headers (``retry-after``, ``retry-after-ms``), or a stall longer than the client's
timeout. Every request is recorded.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image, ImageChops, ImageDraw

CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
_IMAGE_TYPES = {
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "violence",
    "violence/graphic",
}


@dataclass(frozen=True)
class Fail:
    status: int
    code: str | None = None
    message: str = "The server had an error while processing your request."
    type: str = "server_error"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Stall:
    seconds: float


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]


def png(width: int, height: int, transparent: bool, index: int = 0) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0) if transparent else (30, 90, 160, 255))
    ImageDraw.Draw(image).ellipse(
        (width // 4, height // 4, 3 * width // 4, 3 * height // 4),
        fill=(240, (160 + 40 * index) % 256, 40, 255),
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class FakeOpenAI:
    """``with FakeOpenAI() as fake:`` then point OPENAI_BASE_URL at ``fake.base_url``."""

    def __init__(self) -> None:
        self.flag_words: dict[str, str] = {"bloodbath": "violence/graphic"}
        self.scripts: dict[str, deque[Fail | Stall]] = defaultdict(deque)
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, endpoint: str, *steps: Fail | Stall) -> None:
        """Next answers of ``endpoint`` ("images" or "moderations"), before normal service."""
        self.scripts[endpoint].extend(steps)

    def calls(self, endpoint: str) -> list[Recorded]:
        suffix = {"images": "/images/generations", "edits": "/images/edits"}.get(
            endpoint, "/moderations"
        )
        return [r for r in self.requests if r.path.endswith(suffix)]

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---------------------------------------------------------------- answers

    def moderation(self, body: dict[str, Any]) -> dict[str, Any]:
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else [str(i) for i in inputs or []]
        results = []
        for text in texts:
            hits = {cat for word, cat in self.flag_words.items() if word in text.lower()}
            results.append(
                {
                    "flagged": bool(hits),
                    "categories": {c: c in hits for c in CATEGORIES},
                    "category_scores": {c: 0.97 if c in hits else 0.0001 for c in CATEGORIES},
                    "category_applied_input_types": {
                        c: ["text"] if c in hits or c not in _IMAGE_TYPES else []
                        for c in CATEGORIES
                    },
                }
            )
        return {"id": "modr-0123456789", "model": "omni-moderation-latest", "results": results}

    def image(self, body: dict[str, Any]) -> dict[str, Any]:
        size = str(body.get("size") or "1024x1024")
        width, height = (1024, 1024) if size == "auto" else map(int, size.split("x"))
        transparent = body.get("background") == "transparent"
        n = int(body.get("n", 1))
        data = [
            {"b64_json": base64.b64encode(png(width, height, transparent, i)).decode()}
            for i in range(n)
        ]
        return {
            "created": int(time.time()),
            "background": "transparent" if transparent else "opaque",
            "data": data,
            "output_format": "png",
            "quality": body.get("quality", "auto"),
            "size": size,
            "usage": {
                "input_tokens": 50,
                "output_tokens": 4160,
                "total_tokens": 4210,
                "input_tokens_details": {"image_tokens": 0, "text_tokens": 50},
            },
        }

    def edit(self, body: dict[str, Any], image: bytes) -> dict[str, Any]:
        with Image.open(io.BytesIO(image)) as opened:
            picture = opened.convert("RGBA")
        ratio = picture.width / picture.height
        width, height = min(
            ((1024, 1024), (1536, 1024), (1024, 1536)), key=lambda s: abs(s[0] / s[1] - ratio)
        )
        picture = picture.resize((width, height))
        transparent = body.get("background") == "transparent"
        if transparent:
            backdrop = Image.new("RGB", picture.size, picture.getpixel((0, 0))[:3])  # type: ignore[index]
            distance = ImageChops.difference(picture.convert("RGB"), backdrop).convert("L")
            picture.putalpha(distance.point(lambda d: 255 if d >= 14 else 0))
        out = io.BytesIO()
        picture.save(out, "PNG")
        answer = self.image({**body, "size": f"{width}x{height}"})
        answer["data"] = [{"b64_json": base64.b64encode(out.getvalue()).decode()}]
        answer["size"] = str(body.get("size") or "auto")
        return answer

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def _send(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-request-id", "req_fake")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                files: dict[str, bytes] = {}
                if self.headers.get("Content-Type", "").startswith("multipart/form-data"):
                    body = _form(self.headers["Content-Type"], raw, files)
                else:
                    body = json.loads(raw or b"{}")
                with fake._lock:
                    fake.requests.append(Recorded(self.path, body, dict(self.headers.items())))
                endpoint = next(
                    (
                        name
                        for suffix, name in (
                            ("/images/generations", "images"),
                            ("/images/edits", "edits"),
                            ("/moderations", "moderations"),
                        )
                        if self.path.endswith(suffix)
                    ),
                    "",
                )
                if not endpoint:
                    self._send(
                        404,
                        {
                            "error": {
                                "message": f"Invalid URL (POST {self.path})",
                                "type": "invalid_request_error",
                                "param": None,
                                "code": None,
                            }
                        },
                    )
                    return
                if self.headers.get("Authorization", "") != "Bearer sk-test-luneo":
                    self._send(
                        401,
                        {
                            "error": {
                                "message": "Incorrect API key provided.",
                                "type": "invalid_request_error",
                                "param": None,
                                "code": "invalid_api_key",
                            }
                        },
                    )
                    return
                with fake._lock:
                    step = fake.scripts[endpoint].popleft() if fake.scripts[endpoint] else None
                if isinstance(step, Stall):
                    time.sleep(step.seconds)
                    step = None
                if isinstance(step, Fail):
                    error = {
                        "message": step.message,
                        "type": step.type,
                        "param": None,
                        "code": step.code,
                    }
                    self._send(step.status, {"error": error}, step.headers)
                    return
                n = body.get("n", 1)
                if endpoint == "images" and not (isinstance(n, int) and 1 <= n <= 10):
                    error = {
                        "message": f"Invalid 'n': integer above maximum value ({n}).",
                        "type": "invalid_request_error",
                        "param": "n",
                        "code": "invalid_value",
                    }
                    self._send(400, {"error": error})
                    return
                if endpoint == "edits":
                    answer = fake.edit(body, files.get("image", b""))
                else:
                    answer = fake.image(body) if endpoint == "images" else fake.moderation(body)
                self._send(200, answer)

        return Handler


def _form(content_type: str, raw: bytes, files: dict[str, bytes]) -> dict[str, Any]:
    """A multipart body's fields (a file as ``{"filename", "content_type", "size"}``)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            files[name] = payload
            fields[name] = {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(payload),
            }
        else:
            fields[name] = payload.decode()
    return fields
