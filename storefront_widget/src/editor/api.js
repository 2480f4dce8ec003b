// Calls to the storefront API (the app proxy on Shopify, CORS + X-Luneo-Key on WooCommerce).
// Errors become ApiError with a message written for shoppers.
import { t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || null;
  }
}

function kindMessage(status, code, serverMessage, retryAfter) {
  if (status === 402) return t("err_quota");
  if (status === 403 && code === "ai_disabled") return t("err_ai_disabled");
  if (status === 413) return t("err_too_large");
  if (status === 415) return t("err_not_image");
  if (status === 429) return retryAfter ? t("err_rate_wait", { s: retryAfter }) : t("err_rate");
  if (status === 422 && code === "prompt_refused") return serverMessage || t("err_prompt_refused");
  if (status >= 500) return t("err_server");
  return serverMessage || t("err_generic");
}

export function createApi(config) {
  const base = String(config.apiBase || "").replace(/\/+$/, "");
  const headers = {};
  if (config.apiKey) headers["X-Luneo-Key"] = config.apiKey;

  async function request(method, path, body, accept) {
    const init = { method, headers: { ...headers, Accept: accept || "application/json" } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    if (!config.apiKey) init.credentials = "same-origin";
    let response;
    try {
      response = await fetch(base + path, init);
    } catch (err) {
      throw new ApiError(0, "network", t("err_network"));
    }
    if (response.ok) return response;
    let payload = null;
    try {
      payload = await response.json();
    } catch (err) {
      payload = null;
    }
    const error = (payload && payload.error) || {};
    const message = kindMessage(response.status, error.code, error.message, response.headers.get("Retry-After"));
    throw new ApiError(response.status, error.code || "http_" + response.status, message, error.details || error.errors);
  }

  const json = async (method, path, body) => (await request(method, path, body)).json();
  // Analytics batches: fire and forget; ``keepalive`` lets the request outlive a page being left.
  function sendEvents(events, keepalive) {
    const init = { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ events }), keepalive: !!keepalive };
    if (!config.apiKey) init.credentials = "same-origin";
    return fetch(base + "/events", init);
  }
  return {
    template: (productId) => json("GET", "/products/" + encodeURIComponent(productId) + "/template"),
    upload(blob, filename) {
      const form = new FormData();
      form.append("file", blob, filename);
      return json("POST", "/uploads", form);
    },
    removeBackground: (src) => json("POST", "/uploads/background-removal", { src }),
    startCutout: (body) => json("POST", "/ai/background-removals", body),
    saveDesign: (body) => json("POST", "/designs", body),
    quote: (body) => json("POST", "/designs/quote", body),
    getDesign: (id) => json("GET", "/designs/" + encodeURIComponent(id)),
    preview: async (body) => (await request("POST", "/previews", body, "image/png")).blob(),
    startGeneration: (body) => json("POST", "/ai/generations", body),
    generation: (id) => json("GET", "/ai/generations/" + encodeURIComponent(id)),
    // The variants of one request, polled together: the path the POST answered (variants_url).
    variants: (path) => json("GET", path),
    sendEvents,
  };
}
