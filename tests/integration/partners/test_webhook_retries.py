"""The new-job webhook's retries come from a declared setting, with defaults when it is unset.

``PARTNER_WEBHOOK_RETRY_INTERVALS`` was read but never declared in app/config.py, so outside the
tests that set it, announcing a job to a partner with a webhook raised ``KeyError`` (found when
the spec moved beside the service and the settings scan could read the key).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.fulfilment.partner_webhooks import WEBHOOK_RETRY_INTERVALS, webhook_spec


def test_unset_the_webhook_retries_use_the_defaults(app: Flask) -> None:
    with app.app_context():
        spec = webhook_spec(7)

    assert tuple(spec.retry_intervals) == WEBHOOK_RETRY_INTERVALS
    assert spec.retries == len(WEBHOOK_RETRY_INTERVALS)
    assert spec.func == "jobs.fulfilment.deliver_partner_webhook"


@pytest.mark.parametrize("raw", ["5,7", [5, 7]])
def test_set_the_webhook_retries_follow_the_setting(settings: dict[str, Any], raw: Any) -> None:
    app = create_app({**settings, "PARTNER_WEBHOOK_RETRY_INTERVALS": raw})
    with app.app_context():
        spec = webhook_spec(7)

    assert tuple(spec.retry_intervals) == (5, 7)
    assert spec.retries == 2
