// Putting the design in the cart: adapters per platform, and the draft kept in localStorage until
// the cart call has succeeded (so a failed call never loses what the shopper made).

// A page of its own (the order design page) names its own key, apart from the product page's.
export function draftKey(config) {
  if (config.draftKey) return String(config.draftKey);
  return "luneo:draft:" + (config.platform || "shop") + ":" + config.productId;
}

export function readDraft(config) {
  try {
    return JSON.parse(localStorage.getItem(draftKey(config)) || "null");
  } catch (err) {
    return null;
  }
}

export function writeDraft(config, draft) {
  try {
    localStorage.setItem(draftKey(config), JSON.stringify({ ...draft, saved_at: new Date().toISOString() }));
  } catch (err) {
    /* private mode or full storage: the design id on screen still allows a retry */
  }
}

export function clearDraft(config) {
  try {
    localStorage.removeItem(draftKey(config));
  } catch (err) {
    /* nothing to clear */
  }
}

// The cart line's properties: Luneo's readable ones (visible in the cart and checkout) and its
// signed attributes (_luneo_design, _luneo_price, _luneo_preview: hidden by the underscore). A
// design without fields (the free canvas), or an older Luneo, has the one-line summary instead.
export function lineProperties({ designId, summary, properties, cartAttributes }) {
  const readable = properties && Object.keys(properties).length ? properties : { Personalization: summary };
  return { ...readable, ...(cartAttributes || {}), _luneo_design: designId };
}

async function shopifyAjax({ designId, summary, quantity, variantId, config, properties, cartAttributes }) {
  const cart = config.cart || {};
  const response = await fetch(cart.url || "/cart/add.js", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
    body: JSON.stringify({
      items: [{ id: Number(variantId) || variantId, quantity, properties: lineProperties({ designId, summary, properties, cartAttributes }) }],
    }),
  });
  let payload = null;
  try {
    payload = await response.json();
  } catch (err) {
    payload = null;
  }
  if (!response.ok) {
    const reason = (payload && (payload.description || payload.message)) || "HTTP " + response.status;
    throw new Error(reason);
  }
  return { payload, redirect: cart.redirect };
}

function formSubmit({ designId, summary, config }) {
  const cart = config.cart || {};
  const form = document.querySelector(cart.form || "form.cart");
  if (!form) throw new Error("no add-to-cart form on this page");
  const field = (name, value) => {
    let input = form.querySelector('input[name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  };
  field(cart.designField || "luneo_design", designId);
  field(cart.summaryField || "luneo_summary", summary);
  const submitter = form.querySelector('[type="submit"][name="add-to-cart"], button[type="submit"]');
  if (form.requestSubmit) form.requestSubmit(submitter || undefined);
  else form.submit();
  return { payload: null, navigating: true };
}

const ADAPTERS = { "shopify-ajax": shopifyAjax, form: formSubmit };

export function adapterFor(config) {
  const name = (config.cart && config.cart.adapter) || (config.platform === "woocommerce" ? "form" : "shopify-ajax");
  const custom = window.LuneoAdapters && window.LuneoAdapters[name];
  return custom || ADAPTERS[name] || shopifyAjax;
}

export function quantity(config) {
  const field = document.querySelector(config.quantitySelector || 'form[action*="/cart/add"] [name="quantity"]');
  const n = parseInt(field && field.value, 10);
  return n > 0 ? n : 1;
}
