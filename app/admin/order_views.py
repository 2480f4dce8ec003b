"""The ordered design on each of its areas' other pictures (the back, a side, on a model).

Production stores one preview per area, on the area's own mockup (view 0); the order page shows
the merchant every other view too, drawn here when the page asks for it:
``GET /admin/orders/<order>/lines/<line>/views/<area>/<n>.png``. Drawing is bounded like the
template editor's live preview (the shop's previews and milliseconds per minute, a deadline per
picture) and the answer may be kept by the browser for a while: an ordered design is frozen.
"""

from __future__ import annotations

import time

from flask import Response, abort

from app.admin.auth import shop_admin_required, signed_in_shop
from app.admin.template_preview import RENDER_BUDGET_MS, TIMED_OUT, charge_budget, check_budgets
from app.admin.views import bp
from app.design import RenderInputs, parse_design, preview
from app.extensions import get_session, get_storage
from app.models import Design, OrderItem, ShopScope, Template
from app.product_templates.render_spec import print_spec, view_mockup
from app.production.assets import shop_assets
from app.storefront.rendering import preview_errors_answered

NOT_HERE = "This order line has no such view of its design."


@bp.get("/orders/<int:order_id>/lines/<int:item_id>/views/<area_key>/<int:view>.png")
@shop_admin_required
def order_view(order_id: int, item_id: int, area_key: str, view: int) -> Response:
    scope = ShopScope(get_session(), signed_in_shop().id)
    item = scope.get(OrderItem, item_id)
    ordered = scope.get(Design, item.design_id) if item and item.design_id else None
    if item is None or item.order_id != order_id or ordered is None:
        abort(404, description=NOT_HERE)
    template = scope.get(Template, ordered.template_id) if ordered.template_id else None
    area = next((a for a in template.print_areas if a.key == area_key), None) if template else None
    if template is None or area is None or not 1 <= view <= len(area.views):
        abort(404, description=NOT_HERE)
    storage = get_storage()
    check_budgets(scope.shop_id)
    started = time.monotonic()
    try:
        with preview_errors_answered(TIMED_OUT):
            inputs = RenderInputs(
                assets=shop_assets(scope, storage), deadline=started + RENDER_BUDGET_MS / 1000
            )
            design = parse_design(ordered.document)
            mockup = view_mockup(scope, storage, template, area_key, view)
            spec = print_spec(scope, storage, template)
            data = preview(design, spec, area_key, inputs.for_template(spec), mockup, view=view)
    finally:
        charge_budget(scope.shop_id, round((time.monotonic() - started) * 1000))
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
