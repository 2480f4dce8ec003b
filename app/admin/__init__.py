"""Merchant admin blueprint: embedded in the Shopify admin, standalone for WooCommerce.

Every view sits behind ``shop_admin_required`` (see ``auth.py``); queries live in ``queries.py``.
"""

# Register the live preview route on the admin API blueprint, the order views on the pages',
# the analytics page and its CSV on both.
import app.admin.analytics  # noqa: F401
import app.admin.order_views  # noqa: F401
import app.admin.template_preview  # noqa: F401
from app.admin.auth import current_shop, shop_admin_required
from app.admin.views import bp

__all__ = ["bp", "current_shop", "shop_admin_required"]
