// The template's fields as layers: the browser's twin of app/design/fields.py::materialize, so the
// preview shows what the server will print while the shopper types. Pure (no DOM): the text
// measure is passed in — a canvas in the browser, the server fonts' advances in the tests
// (tests/unit/test_widget_fields.py runs this file under node on tests/fixtures/fields/*.json).
// The server's result is the truth: it drops every layer carrying `field` and makes them again.

const GROUP = { photo: 0, clipart: 1, choice: 1, text: 2 };
const ALIGN_SHIFT = { left: 0, center: 0.5, right: 1 };
const RAD = Math.PI / 180;

export const isChoice = (field) => field.kind === "choice";

function option(field, value) {
  return (field.options || []).find((o) => o.value === value) || null;
}

// The value the shopper gave, else the field's default (a choice's, a clipart's, a text's).
export function valueOf(field, values) {
  const given = values ? values[field.id] : undefined;
  if (given !== undefined && given !== null) return given;
  return field.default === undefined ? null : field.default;
}

export function textOf(field, value) {
  return typeof value === "string" ? value : "";
}

const same = (a, b) => String(a || "").toLowerCase() === String(b || "").toLowerCase();

// The font and colour the shopper picked for a text field (kept on its layer), when allowed.
export function pickedStyle(field, previous) {
  const out = {};
  if (!previous) return out;
  if ((field.fonts || []).includes(previous.font)) out.font = previous.font;
  if ((field.colors || []).some((c) => same(c, previous.color))) out.color = previous.color;
  return out;
}

// Which fields are shown: visible_when names an earlier choice field, visible itself, whose
// value is one of the listed options. Returns a Set of field ids.
export function visibleIds(fields, values) {
  const shown = new Set();
  const byId = {};
  for (const field of fields || []) {
    byId[field.id] = field;
    const rule = field.visible_when;
    if (rule && rule.field) {
      const parent = byId[rule.field];
      if (!parent || !shown.has(parent.id)) continue;
      if (!(rule.in || []).includes(valueOf(parent, values))) continue;
    }
    shown.add(field.id);
  }
  return shown;
}

// Whether a field holds something that draws (and is charged).
export function isFilled(field, value) {
  if (field.kind === "text") return textOf(field, value).trim() !== "";
  if (field.kind === "photo") return !!(value && value.src);
  if (field.kind === "clipart") return typeof value === "string" && value !== "";
  if (field.kind === "choice") return !!option(field, value);
  return false;
}

// A box turned about its centre, expressed as the text layer's anchor turned about itself.
function anchorIn(box, fx, fy) {
  const cx = box.x_mm + box.width_mm / 2;
  const cy = box.y_mm + box.height_mm / 2;
  const x = box.x_mm + fx;
  const y = box.y_mm + fy;
  const a = (box.rotation_deg || 0) * RAD;
  if (!a) return [x, y];
  const dx = x - cx;
  const dy = y - cy;
  return [cx + dx * Math.cos(a) - dy * Math.sin(a), cy + dx * Math.sin(a) + dy * Math.cos(a)];
}

const num = (v, fallback) => (typeof v === "number" && isFinite(v) ? v : fallback);

function boxOf(raw) {
  const b = raw || {};
  return {
    x_mm: num(b.x_mm, 0),
    y_mm: num(b.y_mm, 0),
    width_mm: num(b.width_mm, 1),
    height_mm: num(b.height_mm, 1),
    rotation_deg: num(b.rotation_deg, 0),
  };
}

// A movable field keeps the box the shopper gave it, kept inside the area.
function clampBox(box, area) {
  if (!area) return box;
  const w = Math.min(box.width_mm, area.width_mm);
  const h = Math.min(box.height_mm, area.height_mm);
  return {
    ...box,
    width_mm: w,
    height_mm: h,
    x_mm: Math.min(Math.max(box.x_mm, 0), area.width_mm - w),
    y_mm: Math.min(Math.max(box.y_mm, 0), area.height_mm - h),
  };
}

// The colour each text/clipart field gets from the selected options of visible choice fields.
function optionColors(fields, values, shown) {
  const colors = {};
  for (const field of fields) {
    if (!isChoice(field) || !shown.has(field.id)) continue;
    const picked = option(field, valueOf(field, values));
    if (picked && picked.color && picked.color.value)
      for (const id of picked.color.fields || []) colors[id] = picked.color.value;
  }
  return colors;
}

// Auto-fit: the size that makes the line fit the box's width, never under min_size_mm.
export function fittedSize(field, text, font, measure) {
  const size = num(field.size_mm, 10);
  if (field.auto_fit === false || !text || !measure) return size;
  const width = measure({ text, font, weight: field.weight || 400, size_mm: size });
  const boxWidth = boxOf(field.box).width_mm;
  if (!(width > boxWidth)) return size;
  const floor = num(field.min_size_mm, size / 3);
  return Math.max(floor, (size * boxWidth) / width);
}

function textLayer(field, value, box, color, measure, previous) {
  let text = textOf(field, value).replace(/[\r\n\t]+/g, " ");
  if (field.uppercase) text = text.toUpperCase();
  const chosen = pickedStyle(field, previous);
  const font = chosen.font || field.font;
  const size = fittedSize({ ...field, box }, text, font, measure);
  const align = field.align || "center";
  const lineHeight = size * 1.2;
  const [x, y] = anchorIn(box, box.width_mm * ALIGN_SHIFT[align], (box.height_mm - lineHeight) / 2);
  const layer = {
    type: "text",
    id: "field-" + field.id,
    field: field.id,
    text,
    font,
    weight: field.weight || 400,
    size_mm: size,
    color: chosen.color || color || field.color || "#000000",
    align,
    x_mm: x,
    y_mm: y,
    rotation_deg: box.rotation_deg || 0,
    box: { ...box },
  };
  if (field.arc_degrees) layer.arc_degrees = field.arc_degrees;
  return layer;
}

function boxed(layer, box) {
  return { ...layer, x_mm: box.x_mm, y_mm: box.y_mm, width_mm: box.width_mm, height_mm: box.height_mm, rotation_deg: box.rotation_deg || 0 };
}

// The layer(s) one visible, filled field draws: [areaKey, layer] or null.
function fieldLayer(field, value, previous, area, color, measure) {
  let box = boxOf(field.box);
  if (field.movable && previous) {
    const moved = field.kind === "text" ? previous.box : previous;
    if (moved) box = clampBox(boxOf(moved), area);
  }
  if (field.kind === "text") return textLayer(field, value, box, color, measure, previous);
  if (field.kind === "photo") {
    const clip = { shape: field.shape || "rect" };
    if (clip.shape === "mask" && field.mask) clip.mask = field.mask;
    const layer = boxed({ type: "image", id: "field-" + field.id, field: field.id, src: value.src }, box);
    if (value.crop) layer.crop = { x: value.crop.x, y: value.crop.y, width: value.crop.width, height: value.crop.height };
    layer.clip = clip;
    return layer;
  }
  if (field.kind === "clipart") {
    const layer = boxed({ type: "clipart", id: "field-" + field.id, field: field.id, src: value }, box);
    const tint = color || field.color;
    if (tint) layer.color = tint;
    return layer;
  }
  const picked = option(field, value);
  if (!picked || !picked.layer || !picked.layer.clipart) return null;
  return boxed({ type: "clipart", id: "field-" + field.id, field: field.id, src: picked.layer.clipart }, boxOf(picked.layer.box));
}

// materialize(template, document, {measure}) -> a new document: the free layers kept on top, the
// field layers made again from template.fields and document.fields. `measure({text, font,
// weight, size_mm})` answers the line's width in mm (for auto-fit); without it, no auto-fit.
export function materialize(template, document, options) {
  const measure = options && options.measure;
  const fields = template.fields || [];
  const values = document.fields || {};
  const shown = visibleIds(fields, values);
  const colors = optionColors(fields, values, shown);
  const areas = {};
  const generated = {};
  const previous = {};
  for (const [key, area] of Object.entries(document.areas || {})) {
    areas[key] = { ...area, layers: [] };
    generated[key] = [[], [], []];
    for (const layer of area.layers || []) {
      if (layer.field) previous[layer.field] = layer;
      else areas[key].layers.push(layer);
    }
  }
  const specs = {};
  const raw = template.print_areas || template.areas || [];
  if (Array.isArray(raw)) for (const a of raw) specs[a.key] = a;
  else Object.assign(specs, raw);
  for (const field of fields) {
    if (!shown.has(field.id)) continue;
    const value = valueOf(field, values);
    if (!isFilled(field, value)) continue;
    const key = field.area;
    if (!key || !generated[key]) continue;
    const layer = fieldLayer(field, value, previous[field.id], specs[key], colors[field.id], measure);
    if (layer) generated[key][GROUP[field.kind]].push(layer);
  }
  for (const key of Object.keys(areas)) areas[key].layers = [...generated[key].flat(), ...areas[key].layers];
  return { ...document, areas };
}

// What the shopper must fix before the cart, checked in the browser first (the server checks
// again): required fields, lengths. Returns [{field, code, n?}] in field order.
export function localProblems(template, values) {
  const fields = template.fields || [];
  const shown = visibleIds(fields, values);
  const problems = [];
  for (const field of fields) {
    if (!shown.has(field.id)) continue;
    const value = valueOf(field, values);
    if (field.required && !isFilled(field, value)) problems.push({ field: field.id, code: "required" });
    else if (field.kind === "text") {
      const max = field.max_chars || 40;
      if (Array.from(textOf(field, value)).length > max) problems.push({ field: field.id, code: "too_long", n: max });
    }
  }
  return problems;
}

// The visible, filled values only (hidden fields are not sent as if chosen).
export function sentValues(template, values) {
  const fields = template.fields || [];
  const shown = visibleIds(fields, values);
  const out = {};
  for (const field of fields) {
    if (!shown.has(field.id)) continue;
    const value = valueOf(field, values);
    if (isFilled(field, value)) out[field.id] = value;
  }
  return out;
}

// Photo pan/zoom: a crop (fractions of the photo) with the frame's aspect, `zoom` ≥ 1 (1 = the
// photo covers the frame), centred on (cx, cy) in fractions, kept inside the photo.
export function coverCrop(photo, box, zoom, cx, cy) {
  const frameAspect = box.width_mm / box.height_mm;
  const photoAspect = photo.width_px / photo.height_px;
  let w = 1;
  let h = 1;
  if (photoAspect > frameAspect) w = frameAspect / photoAspect;
  else h = photoAspect / frameAspect;
  const z = Math.max(1, zoom || 1);
  w /= z;
  h /= z;
  const x = Math.min(Math.max((cx === undefined ? 0.5 : cx) - w / 2, 0), 1 - w);
  const y = Math.min(Math.max((cy === undefined ? 0.5 : cy) - h / 2, 0), 1 - h);
  const r = (n) => Math.round(n * 1e6) / 1e6;
  return { x: r(x), y: r(y), width: r(w), height: r(h) };
}
