// Luneo's storefront SDK for headless stores and custom front-ends.
export { createClient, HEADLESS_PATH, LuneoApiError } from "./client";
export type { ClientOptions, GenerateInput, LuneoClient, PreviewInput } from "./client";
export { lineProperties, shopifyCartLine, wooAddItemBody } from "./cart";
export type { CartDesign, ShopifyCartLineInput, WooAddItemBody } from "./cart";
export { loadEditor, mountEditor } from "./editor";
export type { AddToCart, MountOptions, MountedEditor } from "./editor";
export type * from "./generated/openapi";
export { OPERATIONS } from "./generated/openapi";
