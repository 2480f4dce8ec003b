"""What the suite does once instead of in every test, without changing what a test checks.

- Passwords: Argon2id at its cheapest parameters. The production profile spends ~150 ms on each
  hash and each check, by design; the suite makes thousands. A hash carries its parameters, so
  verifying and ``needs_rehash`` behave as in production; processes the suite starts (workers,
  gunicorn) keep the production profile.
- Templates: every test's fresh app compiles the Jinja templates it renders again; a shared
  bytecode cache (keyed by the template's name and the checksum of its source) lets the next app
  load the code the first one compiled.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from app.accounts import passwords


def cheap_password_hashes() -> None:
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class _SharedBytecode(BytecodeCache):
    """Compiled templates in memory, for every app of this test process."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedBytecode()


def share_compiled_templates(app: Flask) -> None:
    app.jinja_env.bytecode_cache = _TEMPLATES
