"""The root URL: what someone who lands on Luneo's address sees (no sign-in, no data).

It is also Shopify's ``application_url``: a load carrying ``shop`` (an install link, or Luneo
opened inside the Shopify admin) goes on to the install and authentication flow at ``/app``
with its signed query unchanged.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response | str:
    if "shop" in request.args:
        query = request.query_string.decode("utf-8", "replace")
        return redirect(url_for("shopify_auth.entry") + "?" + query)
    if current_app.config["ENV"] == "development":
        return redirect(url_for("devtools.index"))
    return render_template("home.html")
