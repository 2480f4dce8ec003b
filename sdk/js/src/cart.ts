// What a cart line needs to carry a Luneo design, for the two carts a headless store talks to.
// The same data the theme block and the WordPress plugin put on the line today
// (storefront_widget/src/editor/cart.js, storefront_widget/woocommerce): the design id
// (`_luneo_design`, what the order sync reads), on Shopify its signed surcharge (`_luneo_price`,
// what the Cart Transform function charges) and preview, and the readable properties.
import type { SavedDesign } from "./generated/openapi";

/** The part of a saved design a cart line needs (a `saveDesign` answer has it all). */
export type CartDesign = Pick<SavedDesign, "design_id" | "summary" | "properties" | "cart_attributes">;

/** The readable properties (shown in the cart and checkout) and Luneo's hidden ones. */
export function lineProperties(design: CartDesign): Record<string, string> {
  const readable = design.properties && Object.keys(design.properties).length ? design.properties : { Personalization: design.summary };
  return { ...readable, ...(design.cart_attributes || {}), _luneo_design: design.design_id };
}

export interface ShopifyCartLineInput {
  merchandiseId: string;
  quantity: number;
  attributes: Array<{ key: string; value: string }>;
}

/** A `CartLineInput` for the Storefront API's `cartCreate` / `cartLinesAdd` (Hydrogen's
 * `cart.addLines`). `variantId` is the variant's number or its `gid://shopify/ProductVariant/…`.
 * A Shopify design must carry its signed `_luneo_price` (saved through a Shopify shop's key):
 * without it the Cart Transform would not add the personalization's price. */
export function shopifyCartLine(design: CartDesign, variantId: string | number, quantity = 1): ShopifyCartLineInput {
  if (!design.cart_attributes || !design.cart_attributes._luneo_price) {
    throw new Error("This design has no signed price: save it with a Shopify store's headless key.");
  }
  const id = String(variantId);
  const merchandiseId = id.startsWith("gid://") ? id : `gid://shopify/ProductVariant/${id}`;
  const attributes = Object.entries(lineProperties(design)).map(([key, value]) => ({ key, value: String(value) }));
  return { merchandiseId, quantity, attributes };
}

export interface WooAddItemBody {
  id: number;
  quantity: number;
  variation?: Array<{ attribute: string; value: string }>;
  /** Read by the Luneo Personalizer plugin, which confirms the design with Luneo itself. */
  luneo_design: string;
}

/** The body of WooCommerce's Store API `POST /wp-json/wc/store/v1/cart/add-item` (send it with
 * the store's `Nonce` header as the Store API asks). The plugin confirms the design with Luneo
 * server to server and charges Luneo's price, never one the browser sends. */
export function wooAddItemBody(
  design: Pick<CartDesign, "design_id">,
  productId: string | number,
  quantity = 1,
  variation?: Array<{ attribute: string; value: string }>,
): WooAddItemBody {
  const body: WooAddItemBody = { id: Number(productId), quantity, luneo_design: design.design_id };
  if (variation && variation.length) body.variation = variation;
  return body;
}
