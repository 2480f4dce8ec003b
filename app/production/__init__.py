"""Production: an ordered design becomes stored print files, with the database and storage.

The render core (``app.design``) stays pure; this package is its integration: it maps template
rows to a ``TemplateSpec``, resolves a design's image refs through storage within the design's
shop, stores outputs (deduplicated by content hash) and moves the ``ProductionJob`` along its
status machine. No Flask here: callers pass the session, the storage and the progress callback.
"""

from app.product_templates.render_spec import mockups_for, template_spec_from_row
from app.production.assets import AssetUnavailable, shop_assets
from app.production.pipeline import Outcome, produce_job
from app.production.requeue import NotRetryable, requeue, stale_or_queued_job_ids

__all__ = [
    "AssetUnavailable",
    "NotRetryable",
    "Outcome",
    "mockups_for",
    "produce_job",
    "requeue",
    "shop_assets",
    "stale_or_queued_job_ids",
    "template_spec_from_row",
]
