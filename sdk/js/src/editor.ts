// mountEditor(): Luneo's shopper editor (storefront_widget's luneo-editor.js, served by Luneo at
// /storefront/widget/) in any element of a custom storefront, talking to the headless surface
// with the store's key. Its "Add to cart" saves the design and hands the cart line data to
// `onAddToCart`, which adds it to the store's cart its own way (Storefront API, Store API).
import { HEADLESS_PATH } from "./client";
import { lineProperties, shopifyCartLine, wooAddItemBody } from "./cart";
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
  colors?: { accent?: string; button?: string; buttonText?: string };
  apiBase?: string;
}

export interface MountedEditor {
  root: HTMLElement;
  open(): Promise<void>;
  unmount(): void;
}

interface EditorGlobal {
  open(config: Record<string, unknown>, root: HTMLElement, opener?: HTMLElement): { close?: () => void } | null;
}

declare global {
  interface Window {
    LuneoEditor?: EditorGlobal;
    LuneoAdapters?: Record<string, (args: AdapterArgs) => Promise<{ payload: unknown }>>;
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

let loading: Promise<EditorGlobal> | null = null;
let mounted = 0;

function load(tag: "script" | "link", url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const node = document.createElement(tag);
    if (node instanceof HTMLScriptElement) {
      node.src = url;
      node.async = true;
    } else {
      node.rel = "stylesheet";
      node.href = url;
    }
    node.dataset.luneoSdk = "";
    node.onload = () => resolve();
    node.onerror = () => reject(new Error(`Luneo's editor could not load (${url})`));
    document.head.appendChild(node);
  });
}

/** Load Luneo's editor (JS and CSS) once per page. */
export function loadEditor(luneoUrl: string): Promise<EditorGlobal> {
  if (window.LuneoEditor) return Promise.resolve(window.LuneoEditor);
  const base = luneoUrl.replace(/\/+$/, "") + "/storefront/widget/";
  loading =
    loading ||
    Promise.all([load("link", base + "luneo-editor.css"), load("script", base + "luneo-editor.js")]).then(() => {
      if (!window.LuneoEditor) throw new Error("Luneo's editor did not start");
      return window.LuneoEditor;
    });
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

export function mountEditor(element: HTMLElement, options: MountOptions): MountedEditor {
  const luneo = options.luneoUrl.replace(/\/+$/, "");
  const adapter = `luneo-sdk-${++mounted}`;
  const root = document.createElement("div");
  root.dataset.luneoRoot = "";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "luneo-sdk-open";
  button.textContent = options.label || "Customize";
  button.setAttribute("aria-haspopup", "dialog");
  root.append(button);
  element.append(root);

  window.LuneoAdapters = window.LuneoAdapters || {};
  window.LuneoAdapters[adapter] = async (args: AdapterArgs) => {
    const design: CartDesign = {
      design_id: args.designId,
      summary: args.summary,
      properties: args.properties || {},
      cart_attributes: args.cartAttributes || undefined,
    };
    const line: AddToCart = {
      design,
      quantity: args.quantity,
      variantId: String(args.variantId || options.variantId || ""),
      properties: lineProperties(design),
    };
    if (options.platform === "shopify") line.shopify = shopifyCartLine(design, line.variantId, args.quantity);
    else line.woocommerce = wooAddItemBody(design, line.variantId || options.productId, args.quantity);
    return { payload: await options.onAddToCart(line) };
  };

  const config = {
    platform: options.platform,
    apiBase: options.apiBase || luneo + HEADLESS_PATH,
    apiKey: options.key,
    productId: String(options.productId),
    variantId: options.variantId === undefined ? "" : String(options.variantId),
    viewerUrl: luneo + "/storefront/widget/luneo-viewer.js",
    editorUrl: luneo + "/storefront/widget/luneo-editor.js",
    editorCssUrl: luneo + "/storefront/widget/luneo-editor.css",
    locale: options.locale || document.documentElement.lang || "en",
    colors: options.colors || {},
    cart: { adapter },
    // the page's quantity and variant pickers are the storefront's own, not a theme form's
    quantitySelector: "[data-luneo-sdk-quantity]",
    variantSelector: "[data-luneo-sdk-variant]",
  };

  async function open(): Promise<void> {
    button.setAttribute("aria-busy", "true");
    try {
      const editor = await loadEditor(luneo);
      editor.open(config, root, button);
    } finally {
      button.removeAttribute("aria-busy");
    }
  }
  button.addEventListener("click", () => void open());
  if (options.open) void open();

  return {
    root,
    open,
    unmount() {
      if (window.LuneoAdapters) delete window.LuneoAdapters[adapter];
      root.remove();
    },
  };
}
