// The product page's own variant picker follows a choice option, so the cart gets that variant.
// A Shopify theme keeps the variant in one input (form [name=id]). WooCommerce keeps it in its
// attribute selects, from which its own script (add-to-cart-variation.js) computes variation_id
// and clears it again on any change; the cart then checks the posted attributes against the
// variation. So on WooCommerce the selects are set (WooCommerce's data-product_variations names
// each variation's attributes; when it loads them on demand, the selects are matched by the
// labels the shop's sync recorded) and WooCommerce is left to agree.

const fire = (node, type) => node.dispatchEvent(new Event(type, { bubbles: true }));
const same = (a, b) => String(a || "").trim().replace(/:$/, "").toLowerCase() === String(b || "").trim().toLowerCase();

function listed(form, external) {
  let variations = null;
  try {
    variations = JSON.parse(form.getAttribute("data-product_variations") || "null");
  } catch (err) {
    variations = null;
  }
  if (!Array.isArray(variations)) return null;
  const found = variations.find((v) => v && String(v.variation_id) === external);
  if (!found || !found.attributes) return [];
  const picks = [];
  for (const [name, value] of Object.entries(found.attributes)) {
    const select = [...form.querySelectorAll("select")].find((s) => s.name === name);
    if (select && value !== "") picks.push([select, String(value)]);
  }
  return picks;
}

function byLabel(form, options) {
  const picks = [];
  for (const select of form.querySelectorAll(".variations select, select[name^='attribute_']")) {
    const label = select.id && form.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    const name = label ? label.textContent : select.name.replace(/^attribute_(pa_)?/, "");
    const key = Object.keys(options || {}).find((k) => same(name, k));
    if (!key) continue;
    const option = [...select.options].find((o) => o.value && (same(o.textContent, options[key]) || same(o.value, options[key])));
    if (option) picks.push([select, option.value]);
  }
  return picks;
}

function wooAttributes(config, variant, external) {
  const field = document.querySelector(config.variantSelector || "form.cart [name='variation_id']");
  const form = (field && field.form) || document.querySelector("form.variations_form");
  if (!form) return;
  const picks = listed(form, external) || byLabel(form, variant.options);
  for (const [select, value] of picks) {
    if (select.value === value) continue;
    select.value = value;
    fire(select, "change");
  }
}

// `variant`: one of the template's variants ({id, external_id, options}); `external`: its id on
// the platform (Shopify's number out of the gid).
export function selectPageVariant(config, variant, external) {
  if (config.platform === "woocommerce") wooAttributes(config, variant, external);
  const input = document.querySelector(config.variantSelector || 'form[action*="/cart/add"] [name="id"]');
  if (!input || input.value === external) return;
  input.value = external;
  fire(input, "input");
  fire(input, "change");
}
