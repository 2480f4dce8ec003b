"""What a product page needs to open the editor: the product's template; and the list of the
store's customizable products a custom storefront starts from."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from app.ai.providers import provider_identity
from app.assets import clipart_url, font_url
from app.billing import quota
from app.billing.plans import Feature
from app.design.fields import DEFAULT_FONT
from app.design.fonts import FAMILIES
from app.errors import ApiError
from app.extensions import get_storage
from app.models import Platform, Product, Shop, ShopScope, StoredFile, Template
from app.product_templates import shop_fonts
from app.product_templates.document import template_document
from app.storefront import current_scope, current_shop
from app.storefront.public import model_link, tryon_links


def file_link(stored: StoredFile) -> str:
    """A signed, expiring link to one of this shop's files."""
    ttl = int(current_app.config["DOWNLOAD_URL_TTL"])
    return get_storage().download_url(stored.key, expires_in=ttl)


def external_product_id(raw: str, platform: Platform) -> str:
    """The platform's id for a product as the theme gives it ('' when it cannot be one)."""
    if platform is Platform.SHOPIFY:
        if raw.startswith("gid://shopify/Product/"):
            return raw
        return f"gid://shopify/Product/{raw}" if raw.isdigit() else ""
    return raw if raw.isdigit() else ""


def product_template(product_id: str) -> ResponseReturnValue:
    """The customizable template of a product (by the platform's id), if active."""
    scope, shop = current_scope(), current_shop()
    external_id = external_product_id(product_id, shop.platform)
    product = scope.get_by(Product, external_id=external_id) if external_id else None
    template = scope.get_by(Template, product_id=product.id) if product else None
    if product is None or template is None or not template.is_active:
        raise ApiError(404, "not_customizable", "This product cannot be personalized.")
    provider = provider_identity(current_app.config)
    document = template_document(
        scope, template, product, shop.currency, file_link, clipart_url, ai_provider=provider
    )
    document["model_url"] = model_link(template.model_3d, (template.extra or {}).get("base_color"))
    document["font_files"] = {**font_files(template), **shop_font_files(scope, template)}
    if document["try_on"] is not None:
        document.update(tryon_links())
    features = plan_features(scope.session, shop)
    if not features["3d_ar"]:
        document["model_3d"] = document["model_url"] = document["model_view"] = None  # a plan's
    return jsonify({**document, "features": features})


def font_files(template: Template) -> dict[str, str]:
    """Family -> web font URL for the template's fonts (all curated ones when it names none)
    and every font its text fields draw with (a field's fonts are the merchant's own choice)."""
    offered = set(template.fonts or ()) or {f.name for f in FAMILIES}
    for field in template.fields or ():
        if isinstance(field, dict) and field.get("kind") == "text":
            offered.add(str(field.get("font") or DEFAULT_FONT))
            offered.update(str(name) for name in field.get("fonts") or ())
    return {f.name: font_url(f) for f in FAMILIES if f.name in offered}


def shop_font_files(scope: ShopScope, template: Template) -> dict[str, str]:
    """Family -> signed, expiring link to the WOFF2 of each of this shop's own fonts the
    template offers. Only this shop's template document carries them: another shop's font is
    never linked here, and its link cannot be made without this app's key."""
    return {
        family: file_link(stored)
        for family, stored in shop_fonts.web_files(scope, set(template.fonts or ())).items()
    }


def plan_features(session: Session, shop: Shop) -> dict[str, bool]:
    """What the widget may offer on this shop's plan (``branding``: show "Personalized with
    Luneo")."""
    plan = quota.effective_plan(session, shop)
    return {
        Feature.AI.value: Feature.AI in plan.features,
        Feature.THREE_D.value: Feature.THREE_D in plan.features,
        "branding": Feature.REMOVE_BRANDING not in plan.features,
    }


LISTED_TEMPLATES = 250


def list_templates() -> ResponseReturnValue:
    """The store's customizable products (active templates), by product title: what a custom
    storefront shows before it opens one (``product_id`` is what ``/products/<id>/template``
    takes)."""
    scope = current_scope()
    stmt = (
        scope.select(Template)
        .add_columns(Product)
        .join(Product, Product.id == Template.product_id)
        .where(Product.shop_id == scope.shop_id, Template.is_active.is_(True))
        .order_by(Product.title, Template.id)
        .limit(LISTED_TEMPLATES)
    )
    listed = [
        {
            "template_id": template.id,
            "name": template.name,
            "product_id": product.external_id.rsplit("/", 1)[-1],
            "product_title": product.title,
            "image_url": product.image_url,
        }
        for template, product in scope.session.execute(stmt)
    ]
    return jsonify({"templates": listed})


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/templates", view_func=list_templates)
    bp.add_url_rule("/products/<product_id>/template", view_func=product_template)
