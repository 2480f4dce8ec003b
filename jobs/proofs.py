"""Proof approval jobs (``app.fulfilment.proofs``): the proof e-mail Luneo sends when a job's
files are ready, and the sweep of reminders and deadlines the scheduler runs.

Their dotted paths (``jobs.proofs.send_proof``, ``jobs.proofs.sweep``) are stored with queued
jobs: the names stay.
"""

from __future__ import annotations

from flask import current_app

from app.extensions import get_db
from app.fulfilment import proofs


def send_proof(proof_id: int) -> str:
    """E-mail the shopper the proof, if it still waits to be sent."""
    with get_db().session() as session:
        return proofs.send_queued(session, current_app.config, proof_id)


def sweep() -> dict[str, int]:
    """One reminder at 75 % of each deadline; at the deadline, the template's choice."""
    with get_db().session() as session:
        return proofs.sweep(session, current_app.config)
