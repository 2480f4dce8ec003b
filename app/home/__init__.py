"""The root URL: what someone who lands on Luneo's address sees (no sign-in, no data)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response | str:
    if current_app.config["ENV"] == "development":
        return redirect(url_for("devtools.index"))
    return render_template("home.html")
