// Analytics: what shoppers do with the editor, counted by the server per day (never what they
// typed, never who they are). Events wait in memory and leave together in one request: every
// FLUSH_MS, when 50 are waiting, and when the page is hidden or left (fetch keepalive, which
// outlives the page). Kinds and keys are the server's list (app/storefront/analytics.py).
const FLUSH_MS = 15000;
const FULL = 50;
// The pages behind a signed link (adding a missing design to an order, changing an ordered one)
// put a design on an order already placed: they are not the product page's funnel.
const SIGNED_PAGES = ["recovery", "orderEdit"];

export function counted(config) {
  return !SIGNED_PAGES.includes(config.cart && config.cart.adapter);
}

const IDLE = { track() {}, first() {}, warned() {}, addedToCart() {}, close() {}, flush() {} };

export function createTracker(api, templateId, config) {
  if (!counted(config)) return IDLE;
  let queue = [];
  let timer = null;
  const once = new Set();
  const warned = new Set(); // preflight codes shown since the last add to cart

  function flush(leaving) {
    clearTimeout(timer);
    timer = null;
    if (!queue.length) return;
    const events = queue;
    queue = [];
    // Analytics never bother the shopper: a lost batch is a lost count.
    api.sendEvents(events, leaving).catch(() => {});
  }

  function track(kind, key) {
    const event = { kind, template_id: templateId };
    if (key) event.key = key;
    queue.push(event);
    if (queue.length >= FULL) flush(false);
    else if (!timer) timer = setTimeout(() => flush(false), FLUSH_MS);
  }

  const onHide = () => document.visibilityState === "hidden" && flush(true);
  const onLeave = () => flush(true);
  document.addEventListener("visibilitychange", onHide);
  window.addEventListener("pagehide", onLeave);

  return {
    track,
    // Counted once per opening of the editor (design_started: the first change).
    first(kind) {
      if (once.has(kind)) return;
      once.add(kind);
      track(kind);
    },
    warned: (code) => warned.add(code),
    // At add to cart: each warning shown since the last one was fixed, or is still there.
    addedToCart(stillWarned) {
      for (const code of warned) track(stillWarned.has(code) ? "preflight_ignored" : "preflight_fixed", code);
      warned.clear();
      track("added_to_cart");
      flush(false);
    },
    close() {
      flush(true);
      document.removeEventListener("visibilitychange", onHide);
      window.removeEventListener("pagehide", onLeave);
    },
    flush,
  };
}
