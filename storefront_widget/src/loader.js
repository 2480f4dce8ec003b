// The product-page loader (deferred, a few KB): reads each root's config, shows the Customize
// button and fetches the editor (JS + CSS) only when a shopper asks for it. The editor then takes
// over through window.LuneoEditor.open(config, root). See ../README.md for the config object.

// The button is exactly 44 px high with 8 px above and below: the 60 px the page's root reserves
// (data-luneo-root in the block, the plugin and the recovery page: a flow-root, so the margins
// stay inside it, with that min-height), so it appears without moving anything on the page.
const CSS =
  ".luneo-open{display:flex;align-items:center;justify-content:center;gap:.5em;width:100%;box-sizing:border-box;" +
  "height:44px;margin:8px 0;padding:0 1.25em;border:0;border-radius:6px;font:inherit;line-height:1.2;" +
  "white-space:nowrap;overflow:hidden;text-overflow:ellipsis;" +
  "font-weight:600;cursor:pointer;background:var(--luneo-button,#111827);color:var(--luneo-button-text,#fff)}" +
  ".luneo-open:focus-visible{outline:3px solid var(--luneo-accent,#2563eb);outline-offset:2px}" +
  ".luneo-open[aria-busy=true]{opacity:.7;cursor:progress}" +
  ".luneo-note{margin:.25rem 0;font-size:.875em}.luneo-note[hidden]{display:none}";

let editorPromise = null;

function readConfig(root) {
  const node = root.querySelector("script[data-luneo-config]");
  try {
    return JSON.parse(node ? node.textContent : "{}");
  } catch (err) {
    return null;
  }
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = resolve;
    script.onerror = () => reject(new Error("script " + src));
    document.head.appendChild(script);
  });
}

function loadCss(href) {
  return new Promise((resolve) => {
    if (!href || document.querySelector('link[data-luneo-css]')) return resolve();
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.dataset.luneoCss = "";
    link.onload = link.onerror = resolve;
    document.head.appendChild(link);
  });
}

function loadEditor(config) {
  if (!editorPromise) {
    editorPromise = Promise.all([loadCss(config.editorCssUrl), window.LuneoEditor ? 0 : loadScript(config.editorUrl)])
      .then(() => window.LuneoEditor)
      .catch((err) => {
        editorPromise = null;
        throw err;
      });
  }
  return editorPromise;
}

// Follow the theme's variant picker so the cart gets the variant the shopper chose.
function currentVariant(config) {
  const field = document.querySelector(config.variantSelector || 'form[action*="/cart/add"] [name="id"]');
  const value = field && field.value;
  return value && value !== "0" ? value : config.variantId; // WooCommerce: "0" until one is chosen
}

function setup(root) {
  if (root.dataset.luneoReady) return;
  const config = readConfig(root);
  const note = document.createElement("p");
  note.className = "luneo-note";
  note.setAttribute("role", "status");
  note.hidden = true;
  if (!config || !config.apiBase || !config.editorUrl) {
    root.dataset.luneoReady = "error";
    return;
  }
  root.dataset.luneoReady = "1";
  const colors = config.colors || {};
  const button = document.createElement("button");
  button.type = "button";
  button.className = "luneo-open";
  button.textContent = config.label || "Customize";
  button.setAttribute("aria-haspopup", "dialog");
  if (colors.button) root.style.setProperty("--luneo-button", colors.button);
  if (colors.buttonText) root.style.setProperty("--luneo-button-text", colors.buttonText);
  if (colors.accent) root.style.setProperty("--luneo-accent", colors.accent);
  const open = () => {
    button.setAttribute("aria-busy", "true");
    note.hidden = true;
    return loadEditor(config)
      .then((editor) => editor.open({ ...config, variantId: currentVariant(config) }, root, button))
      .catch(() => {
        note.textContent = (config.strings && config.strings.load_failed) || "The editor could not load. Please try again.";
        note.hidden = false;
      })
      .finally(() => button.removeAttribute("aria-busy"));
  };
  button.addEventListener("click", open);
  // Warm the connection on intent without downloading anything render-relevant.
  button.addEventListener("pointerenter", () => loadCss(config.editorCssUrl), { once: true });
  root.luneoOpen = open;
  const fallback = root.querySelector("[data-luneo-fallback]");
  if (fallback) fallback.remove();
  root.append(button, note);
}

function init() {
  if (!document.getElementById("luneo-loader-css")) {
    const style = document.createElement("style");
    style.id = "luneo-loader-css";
    style.textContent = CSS;
    document.head.appendChild(style);
  }
  document.querySelectorAll("[data-luneo-root]").forEach(setup);
}

window.Luneo = {
  open(root) {
    const target = root || document.querySelector("[data-luneo-root]");
    return target && target.luneoOpen ? target.luneoOpen() : Promise.resolve();
  },
  init,
};

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
