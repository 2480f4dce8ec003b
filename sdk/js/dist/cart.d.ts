import type { SavedDesign } from "./generated/openapi";
/** The part of a saved design a cart line needs (a `saveDesign` answer has it all). */
export type CartDesign = Pick<SavedDesign, "design_id" | "summary" | "properties" | "cart_attributes">;
/** The readable properties (shown in the cart and checkout) and Luneo's hidden ones. */
export declare function lineProperties(design: CartDesign): Record<string, string>;
export interface ShopifyCartLineInput {
    merchandiseId: string;
    quantity: number;
    attributes: Array<{
        key: string;
        value: string;
    }>;
}
/** A `CartLineInput` for the Storefront API's `cartCreate` / `cartLinesAdd` (Hydrogen's
 * `cart.addLines`). `variantId` is the variant's number or its `gid://shopify/ProductVariant/…`.
 * A Shopify design must carry its signed `_luneo_price` (saved through a Shopify shop's key):
 * without it the Cart Transform would not add the personalization's price. */
export declare function shopifyCartLine(design: CartDesign, variantId: string | number, quantity?: number): ShopifyCartLineInput;
export interface WooAddItemBody {
    id: number;
    quantity: number;
    variation?: Array<{
        attribute: string;
        value: string;
    }>;
    /** Read by the Luneo Personalizer plugin, which confirms the design with Luneo itself. */
    luneo_design: string;
}
/** The body of WooCommerce's Store API `POST /wp-json/wc/store/v1/cart/add-item` (send it with
 * the store's `Nonce` header as the Store API asks). The plugin confirms the design with Luneo
 * server to server and charges Luneo's price, never one the browser sends. */
export declare function wooAddItemBody(design: Pick<CartDesign, "design_id">, productId: string | number, quantity?: number, variation?: Array<{
    attribute: string;
    value: string;
}>): WooAddItemBody;
