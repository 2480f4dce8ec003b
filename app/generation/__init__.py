"""AI generation as a service: requests (safety, cache, quota), the queued run, merchant controls.

Sits between the storefront/admin blueprints and the pure pieces in :mod:`app.ai`; uses the
database, storage and the quota guard, never Flask.
"""
