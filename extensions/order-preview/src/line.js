// Which picture a personalised order line shows: the preview link Luneo put in the line's hidden
// attributes when the shopper added the design to the cart (`_luneo_preview`, beside
// `_luneo_design`). Anything else — a line without a design, a link that is not https — shows
// nothing, so a hand-made cart attribute cannot put an arbitrary picture or script URL on the page.
export const DESIGN = "_luneo_design";
export const PREVIEW = "_luneo_preview";

export function previewOf(attributes) {
  if (!Array.isArray(attributes)) return null;
  const value = (key) => {
    const found = attributes.find((attribute) => attribute && attribute.key === key);
    return found && typeof found.value === "string" ? found.value : null;
  };
  if (!value(DESIGN)) return null;
  const link = value(PREVIEW);
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === "https:" ? url.href : null;
  } catch (err) {
    return null;
  }
}
