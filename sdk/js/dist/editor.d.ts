import type { CartDesign, ShopifyCartLineInput, WooAddItemBody } from "./cart";
export interface AddToCart {
    design: CartDesign;
    quantity: number;
    variantId: string;
    /** Every property of the line: readable ones and Luneo's hidden `_luneo_*` ones. */
    properties: Record<string, string>;
    /** Shopify stores: the Storefront API `CartLineInput` (`cartLinesAdd`). */
    shopify?: ShopifyCartLineInput;
    /** WooCommerce stores: the Store API `cart/add-item` body. */
    woocommerce?: WooAddItemBody;
}
export interface MountOptions {
    luneoUrl: string;
    key: string;
    /** The store's product id (Shopify: the product's number; WooCommerce: the product id). */
    productId: string | number;
    /** The variant to add (Shopify: the variant's number; WooCommerce: the variation or product id). */
    variantId?: string | number;
    platform: "shopify" | "woocommerce";
    /** Called with the saved design's cart line; may return a promise (the editor waits). */
    onAddToCart(line: AddToCart): unknown;
    /** The button's text ("Customize"); open the editor at once with `open: true`. */
    label?: string;
    open?: boolean;
    locale?: string;
    colors?: {
        accent?: string;
        button?: string;
        buttonText?: string;
    };
    apiBase?: string;
}
export interface MountedEditor {
    root: HTMLElement;
    open(): Promise<void>;
    unmount(): void;
}
interface EditorGlobal {
    open(config: Record<string, unknown>, root: HTMLElement, opener?: HTMLElement): {
        close?: () => void;
    } | null;
}
declare global {
    interface Window {
        LuneoEditor?: EditorGlobal;
        LuneoAdapters?: Record<string, (args: AdapterArgs) => Promise<{
            payload: unknown;
        }>>;
    }
}
interface AdapterArgs {
    designId: string;
    summary: string;
    quantity: number;
    variantId: string;
    properties: Record<string, string> | null;
    cartAttributes: Record<string, string> | null;
}
/** Load Luneo's editor (JS and CSS) once per page. */
export declare function loadEditor(luneoUrl: string): Promise<EditorGlobal>;
export declare function mountEditor(element: HTMLElement, options: MountOptions): MountedEditor;
export {};
