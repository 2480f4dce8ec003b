// What a personalised order line shows. The picture: the preview link Luneo put in the line's
// hidden attributes when the shopper added the design to the cart (`_luneo_preview`, beside
// `_luneo_design`). Anything else — a line without a design, a link that is not https — shows
// nothing, so a hand-made cart attribute cannot put an arbitrary picture or script URL on the page.
export const DESIGN = "_luneo_design";
export const PREVIEW = "_luneo_preview";
// The order's app-owned metafield with the shopper's private links to change each design
// (app/sync/design_links.py): {"v": 1, "lines": {"<design id>": {"url", "until", "line"}}}.
export const LINKS_NAMESPACE = "$app";
export const LINKS_KEY = "design_links";

function attribute(attributes, key) {
  if (!Array.isArray(attributes)) return null;
  const found = attributes.find((item) => item && item.key === key);
  return found && typeof found.value === "string" ? found.value : null;
}

function https(link) {
  if (typeof link !== "string" || !link) return null;
  try {
    const url = new URL(link);
    return url.protocol === "https:" ? url.href : null;
  } catch (err) {
    return null;
  }
}

export function designOf(attributes) {
  return attribute(attributes, DESIGN);
}

export function previewOf(attributes) {
  if (!designOf(attributes)) return null;
  return https(attribute(attributes, PREVIEW));
}

// The link to change this line's design, from the order's `design_links` metafield among the
// extension's appMetafields: keyed by the line's design id, since the page's line id
// (gid://shopify/CartLine/…) is not the order's line id. Only an https URL; `until` only as a
// valid date. Null when the order has no link for the line.
export function changeLinkOf(attributes, entries) {
  const design = designOf(attributes);
  if (!design || !Array.isArray(entries)) return null;
  const entry = entries.find(
    (item) =>
      item &&
      item.metafield &&
      item.metafield.namespace === LINKS_NAMESPACE &&
      item.metafield.key === LINKS_KEY &&
      (!item.target || item.target.type === "order"),
  );
  if (!entry) return null;
  let value = entry.metafield.value;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch (err) {
      return null;
    }
  }
  const lines = value && typeof value === "object" ? value.lines : null;
  if (!lines || typeof lines !== "object" || !Object.prototype.hasOwnProperty.call(lines, design)) {
    return null;
  }
  const line = lines[design];
  const url = https(line && line.url);
  if (!url) return null;
  const until = line.until ? new Date(line.until) : null;
  return { url, until: until && !Number.isNaN(until.getTime()) ? until : null };
}
