"""Fulfilment by partners: routing, leases, status reports, downloads and the push to the store.

No Flask here: the partner portal and API (``app.partners``), the admin and the jobs all call
these services with a session (and storage or settings when they need them).
"""
