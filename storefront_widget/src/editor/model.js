// The design being edited: a design document (app/design/schema/design-document.v1.json:
// millimetres from the print area's top-left trim corner) plus undo/redo history.

let counter = 0;
export const newId = (type) => type + "-" + Date.now().toString(36) + "-" + (++counter).toString(36);

const round = (n) => Math.round(n * 100) / 100;

export function emptyDocument(template) {
  const areas = {};
  for (const area of template.print_areas) areas[area.key] = { layers: [] };
  return { version: 1, areas, fields: {}, meta: { editor: "luneo-widget/1", urls: {} } };
}

// Keep only what the schema allows, with numbers rounded to 0.01 mm.
const ALLOWED = {
  text: ["id", "field", "name", "locked", "hidden", "text", "font", "weight", "style", "size_mm", "color", "align", "line_spacing",
    "letter_spacing_mm", "arc_degrees", "x_mm", "y_mm", "rotation_deg", "opacity", "box",
    "stroke", "stroke_width_mm", "shadow"],
  image: ["id", "field", "name", "locked", "hidden", "src", "crop", "clip", "turn", "flip_x", "flip_y", "filters", "x_mm", "y_mm", "width_mm", "height_mm", "rotation_deg", "opacity"],
  clipart: ["id", "field", "name", "locked", "hidden", "src", "color", "flip_x", "flip_y", "x_mm", "y_mm", "width_mm", "height_mm", "rotation_deg", "opacity"],
};

// An AI image is stored where the server keeps generated images (new_key(shop, "ai", …)); its
// name is the prompt it was made from.
export const isAiImage = (layer) => layer.type === "image" && /^shops\/\d+\/ai\//.test(layer.src || "");

// What a layer is called in the layers list: a text by its text, an AI image by its prompt, a
// photo as a photo, a clipart by its name.
export function layerLabel(layer, t) {
  if (layer.type === "text") return String(layer.text || "").trim().replace(/\s+/g, " ").slice(0, 40) || t("layer_text_empty");
  if (isAiImage(layer)) return t("layer_ai", { prompt: String(layer.name || "").slice(0, 32) });
  if (layer.type === "image") return t("layer_image");
  return layer.name || t("layer_clipart_unnamed");
}

// Where a new layer goes: a picture (photo, AI image, clipart) under the texts already there, so
// it never covers them; a text on top.
export function insertIndex(layers, layer) {
  if (layer.type === "text") return layers.length;
  const firstText = layers.findIndex((l) => l.type === "text");
  return firstText < 0 ? layers.length : firstText;
}

export function cleanLayer(layer) {
  const out = { type: layer.type };
  for (const key of ALLOWED[layer.type] || []) {
    if (layer[key] === undefined || layer[key] === null) continue;
    out[key] = typeof layer[key] === "number" ? round(layer[key]) : layer[key];
  }
  if (out.rotation_deg !== undefined) {
    out.rotation_deg = round(((out.rotation_deg % 360) + 540) % 360 - 180);
  }
  return out;
}

// `fields`: the shopper's values of the template's fields (form mode), as fields.sentValues keeps
// them; omitted when the template has none.
export function documentFor(doc, urls, fields) {
  const areas = {};
  for (const [key, area] of Object.entries(doc.areas)) areas[key] = { layers: area.layers.map(cleanLayer) };
  const used = {};
  for (const area of Object.values(areas))
    for (const layer of area.layers) if (layer.src && urls[layer.src]) used[layer.src] = urls[layer.src];
  for (const value of Object.values(fields || {})) if (value && value.src && urls[value.src]) used[value.src] = urls[value.src];
  const out = { version: 1, areas, meta: { editor: "luneo-widget/1", urls: used } };
  if (fields && Object.keys(fields).length) out.fields = fields;
  return out;
}

export class History {
  constructor(doc, onChange) {
    this.doc = doc;
    this.past = [];
    this.future = [];
    this.onChange = onChange;
    this.mark = this.snapshot();
  }
  // The areas and the field values: one undo step covers both.
  snapshot() {
    return JSON.stringify({ areas: this.doc.areas, fields: this.doc.fields || {} });
  }
  // Record the state after a finished gesture/edit (one undo step per gesture, not per frame).
  commit() {
    const now = this.snapshot();
    if (now === this.mark) return;
    this.past.push(this.mark);
    if (this.past.length > 100) this.past.shift();
    this.future = [];
    this.mark = now;
    this.onChange();
  }
  restore(snapshot) {
    const state = JSON.parse(snapshot);
    this.doc.areas = state.areas;
    this.doc.fields = state.fields;
    this.mark = snapshot;
    this.onChange(true);
  }
  undo() {
    if (!this.past.length) return;
    this.future.push(this.mark);
    this.restore(this.past.pop());
  }
  redo() {
    if (!this.future.length) return;
    this.past.push(this.mark);
    this.restore(this.future.pop());
  }
}

// One line summary per area: "Front — 'Happy birthday Anna', 1 photo".
export function summarize(doc, template, t) {
  const parts = [];
  for (const area of template.print_areas) {
    const layers = (doc.areas[area.key] || { layers: [] }).layers.filter((l) => !l.hidden);
    if (!layers.length) continue;
    const texts = layers.filter((l) => l.type === "text" && l.text.trim()).map((l) => "'" + l.text.trim().replace(/\s+/g, " ") + "'");
    const images = layers.filter((l) => l.type === "image").length;
    const clips = layers.filter((l) => l.type === "clipart").length;
    const bits = [...texts];
    if (images) bits.push(t(images > 1 ? "n_photos" : "one_photo", { n: images }));
    if (clips) bits.push(t(clips > 1 ? "n_cliparts" : "one_clipart", { n: clips }));
    parts.push((area.name || area.key) + " — " + bits.join(", "));
  }
  return parts.join("; ").slice(0, 250);
}
