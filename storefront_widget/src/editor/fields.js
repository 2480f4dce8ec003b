// The template's fields as layers: the browser's twin of app/design/fields.py::materialize, so the
// preview shows what the server will print while the shopper types. Pure (no DOM): the text
// measure is passed in — the canvas in the browser, the server fonts' advances in the tests
// (tests/integration/widget/test_widget_fields.py runs this file under node on
// tests/fixtures/fields/*.json). The server's result is the truth: on save it drops every layer
// carrying `field` and makes them again with the same rules (see fields.py's docstring).

import { scriptProblem } from "./scripts.js";

export const LINE_SPACING = 1.2;
const MIN_MOVED_MM = 1;
const ALIGN_SHIFT = { left: 0, center: 0.5, right: 1 };
const RAD = Math.PI / 180;

const REF = /^clipart:([a-z0-9-]{1,40})\/([a-z0-9-]{1,64})$/;

const r4 = (n) => Math.round(n * 1e4) / 1e4 + 0; // fields.py's _r: 4 places, never -0
const has = (o, k) => !!o && Object.prototype.hasOwnProperty.call(o, k);
const isNum = (v) => typeof v === "number" && isFinite(v) && Math.abs(v) <= 10000;

// "#ABC" -> "#aabbcc": the one spelling colours are compared in.
export function longColor(color) {
  const value = String(color || "").trim().toLowerCase();
  return value.length === 4 ? "#" + [...value.slice(1)].map((c) => c + c).join("") : value;
}

export function optionOf(field, value) {
  return (field.options || []).find((o) => o.value === value) || null;
}

const TEXT_LOOK = ["letter_spacing_mm", "stroke", "stroke_width_mm", "shadow"]; // fields.py TEXT_LOOK
const lineSpacing = (field) => (isNum(field.line_spacing) ? field.line_spacing : LINE_SPACING);
const textDefaults = (field) => {
  const box = field.box || {};
  const size = isNum(field.size_mm) ? field.size_mm : r4((box.height_mm || 12) / lineSpacing(field));
  return { size, min: isNum(field.min_size_mm) ? field.min_size_mm : r4(size / 3) };
};

export const allowedFonts = (field) => ((field.fonts || []).length ? field.fonts : [field.font || "Inter"]);
export const allowedColors = (field) => ((field.colors || []).length ? field.colors : [field.color || "#000000"]).map(longColor);

function offeredClipart(field, ref) {
  const m = REF.exec(ref || "");
  return !!m && (field.sets || []).includes(m[1]);
}

// What the server draws, prices and lists for a field's raw value (fields.py's _sanitised).
function sanitised(field, raw, given) {
  if (field.kind === "text") {
    if (!given || raw === null || raw === undefined) return field.default || "";
    return typeof raw === "string" ? Array.from(raw).slice(0, field.max_chars || 40).join("") : "";
  }
  if (field.kind === "photo") {
    if (raw && typeof raw === "object" && typeof raw.src === "string" && raw.src) {
      const photo = { src: raw.src };
      if (raw.crop && typeof raw.crop === "object") photo.crop = { ...raw.crop };
      return photo;
    }
    return null;
  }
  if (field.kind === "clipart") {
    if (typeof raw === "string" && offeredClipart(field, raw)) return raw;
    return !given || raw === null || raw === undefined ? (field.default === undefined ? null : field.default) : null;
  }
  if (typeof raw === "string" && optionOf(field, raw)) return raw;
  return optionOf(field, field.default) ? field.default : null;
}

function filled(field, value) {
  if (field.kind === "text") return typeof value === "string" && value.trim() !== "";
  return value !== null && value !== undefined;
}

// Every field in order with {field, visible, value (sanitised), given, filled, option}.
export function fieldStates(template, values) {
  const chosen = {};
  const states = [];
  for (const field of template.fields || []) {
    const when = field.visible_when;
    const visible = !when || (has(chosen, when.field) && (when.in || []).includes(chosen[when.field]));
    const given = has(values, field.id) && values[field.id] !== undefined;
    const value = visible ? sanitised(field, given ? values[field.id] : undefined, given) : null;
    const state = { field, visible, value, given, filled: visible && filled(field, value) };
    state.option = field.kind === "choice" ? optionOf(field, value) : null;
    states.push(state);
    if (field.kind === "choice" && visible) chosen[field.id] = value;
  }
  return states;
}

export function visibleIds(template, values) {
  return new Set(fieldStates(template, values).filter((s) => s.visible).map((s) => s.field.id));
}

// The shopper's layer for each field (first found): its font, colour and, if movable, its box.
function shopperLayers(document) {
  const found = {};
  for (const area of Object.values(document.areas || {}))
    for (const layer of (area && area.layers) || []) if (layer && typeof layer.field === "string" && !has(found, layer.field)) found[layer.field] = layer;
  return found;
}

// Field id -> the colour a picked option sets for it (later choices win).
function colorEffects(states) {
  const colors = {};
  for (const s of states) if (s.visible && s.option && s.option.color) for (const id of s.option.color.fields || []) colors[id] = longColor(s.option.color.value);
  return colors;
}

const boxDict = (b) => ({ x_mm: r4(b.x_mm), y_mm: r4(b.y_mm), width_mm: r4(b.width_mm), height_mm: r4(b.height_mm), rotation_deg: r4(b.rotation_deg || 0) });
const boxOf = (b) => ({ x_mm: +b.x_mm, y_mm: +b.y_mm, width_mm: +b.width_mm, height_mm: +b.height_mm, rotation_deg: +(b.rotation_deg || 0) });

function areaSpec(template, key) {
  const raw = template.print_areas || template.areas || [];
  return Array.isArray(raw) ? raw.find((a) => a.key === key) : raw[key];
}

// A movable field's box from the shopper's layer, kept inside the area (fields.py's _moved).
function moved(template, field, layer) {
  if (!layer || !field.area) return null;
  const src = field.kind === "text" ? layer.box : layer;
  if (!src || typeof src !== "object") return null;
  let { x_mm: x, y_mm: y, width_mm: w, height_mm: h } = src;
  const turn = src.rotation_deg === undefined ? 0 : src.rotation_deg;
  if (![x, y, w, h, turn].every(isNum)) return null;
  const area = areaSpec(template, field.area);
  if (!area) return null;
  w = Math.min(Math.max(w, MIN_MOVED_MM), area.width_mm);
  h = Math.min(Math.max(h, MIN_MOVED_MM), area.height_mm);
  x = Math.min(Math.max(x, 0), area.width_mm - w);
  y = Math.min(Math.max(y, 0), area.height_mm - h);
  return { x_mm: x, y_mm: y, width_mm: w, height_mm: h, rotation_deg: Math.max(-360, Math.min(360, turn)) };
}

export const splitLines = (text) => text.replace(/\r\n/g, "\n").replace(/\r/g, "\n").replace(/\t/g, " ").split("\n");

// Auto-fit: size_mm shrunk until the widest line fits the box width, floored to 0.01 mm, never
// below min_size_mm. `measure({text, font, weight, size_mm})` -> width in mm.
export function fittedSize(field, text, font, widthMm, measure) {
  const { size, min } = textDefaults(field);
  if (field.auto_fit === false || !measure) return size;
  const weight = field.weight || 400;
  const tracking = isNum(field.letter_spacing_mm) ? field.letter_spacing_mm : 0;
  // Each line with its room: the box width less its letter spacing (as fields.py _fitted_size).
  const fits = splitLines(text)
    .map((line) => [widthMm - tracking * Math.max(0, Array.from(line).length - 1), measure({ text: line, font, weight, size_mm: 1 })])
    .filter(([, em]) => em > 0);
  if (fits.every(([room, em]) => em * size <= room)) return size;
  const fitted = Math.floor(Math.min(...fits.map(([room, em]) => Math.max(room, 0) / em)) * 100) / 100;
  return Math.max(min, Math.min(size, fitted));
}

function textLayer(field, value, box, shopper, color, measure) {
  const text = (field.uppercase ? value.toUpperCase() : value).trim();
  if (!text) return null;
  let font = field.font || "Inter";
  if (shopper && allowedFonts(field).includes(shopper.font)) font = shopper.font;
  if (!color) {
    color = longColor(field.color || "#000000");
    const chosen = shopper && shopper.color;
    if (typeof chosen === "string" && allowedColors(field).includes(longColor(chosen))) color = longColor(chosen);
  }
  const size = fittedSize(field, text, font, box.width_mm, measure);
  const lines = splitLines(text).length;
  const align = field.align || "center";
  let x = box.x_mm + box.width_mm * ALIGN_SHIFT[align];
  let y = box.y_mm + (box.height_mm - size * lineSpacing(field) * lines) / 2;
  if (box.rotation_deg) {
    const cx = box.x_mm + box.width_mm / 2;
    const cy = box.y_mm + box.height_mm / 2;
    const a = box.rotation_deg * RAD;
    const dx = x - cx;
    const dy = y - cy;
    x = cx + dx * Math.cos(a) - dy * Math.sin(a);
    y = cy + dx * Math.sin(a) + dy * Math.cos(a);
  }
  return {
    type: "text",
    field: field.id,
    text,
    font,
    weight: field.weight || 400,
    size_mm: r4(size),
    color,
    align,
    line_spacing: lineSpacing(field),
    arc_degrees: r4(field.arc_degrees || 0),
    x_mm: r4(x),
    y_mm: r4(y),
    rotation_deg: r4(box.rotation_deg || 0),
    box: boxDict(box),
    ...Object.fromEntries(TEXT_LOOK.filter((k) => has(field, k)).map((k) => [k, typeof field[k] === "object" ? { ...field[k] } : field[k]])),
  };
}

// materialize(template, document, {measure}) -> a new document with every field layer made
// again from template.fields and document.fields (in "form" mode the free layers go too).
export function materialize(template, document, options) {
  const measure = options && options.measure;
  const values = (document.fields && typeof document.fields === "object" && document.fields) || {};
  const states = fieldStates(template, values);
  const shopper = shopperLayers(document);
  const colors = colorEffects(states);
  const both = template.editor_mode === "both";
  const rawAreas = template.print_areas || template.areas || [];
  const specKeys = Array.isArray(rawAreas) ? rawAreas.map((a) => a.key) : Object.keys(rawAreas);
  const groups = {};
  for (const s of states) {
    const field = s.field;
    if (!s.visible || !s.filled || !field.area || !specKeys.includes(field.area)) continue;
    const [photos, pictures, texts] = (groups[field.area] = groups[field.area] || [[], [], []]);
    if (field.kind === "choice") {
      if (s.option && s.option.layer)
        pictures.push({ type: "clipart", field: field.id, src: s.option.layer.clipart, ...boxDict(boxOf(s.option.layer.box)) });
      continue;
    }
    let box = boxOf(field.box);
    if (both && field.movable) box = moved(template, field, shopper[field.id]) || box;
    if (field.kind === "photo") {
      const clip = { shape: field.shape || "rect" };
      if (clip.shape === "mask" && field.mask) clip.mask = field.mask;
      const layer = { type: "image", field: field.id, src: s.value.src };
      if (s.value.crop) layer.crop = s.value.crop;
      photos.push({ ...layer, ...boxDict(box), clip });
    } else if (field.kind === "clipart") {
      const layer = { type: "clipart", field: field.id, src: s.value, ...boxDict(box) };
      const tint = colors[field.id] || (field.color ? longColor(field.color) : null);
      if (tint) layer.color = tint;
      pictures.push(layer);
    } else {
      const layer = textLayer(field, s.value, box, shopper[field.id], colors[field.id], measure);
      if (layer) texts.push(layer);
    }
  }
  const docAreas = document.areas && typeof document.areas === "object" ? document.areas : {};
  const formOnly = template.editor_mode === "form" && (template.fields || []).length > 0;
  const areas = {};
  for (const key of [...specKeys, ...Object.keys(docAreas).filter((k) => !specKeys.includes(k))]) {
    const area = docAreas[key];
    const free = area && Array.isArray(area.layers) && !formOnly ? area.layers.filter((l) => !(l && has(l, "field"))) : [];
    const layers = [...(groups[key] || []).flat(), ...free];
    if (area || layers.length) areas[key] = { ...(area || {}), layers };
  }
  const out = { ...document, areas };
  delete out.fields;
  if (has(document, "fields")) out.fields = sentValues(template, values);
  return out;
}

// The values the document keeps: the visible fields' given, non-null values (as the server).
export function sentValues(template, values) {
  const out = {};
  for (const s of fieldStates(template, values || {}))
    if (s.visible && s.given && values[s.field.id] !== null) out[s.field.id] = values[s.field.id];
  return out;
}

// The value a field shows in the form: the sanitised one (default included).
export function valueOf(template, values, id) {
  const state = fieldStates(template, values || {}).find((s) => s.field.id === id);
  return state ? state.value : null;
}

// What must be fixed before the cart, checked in the browser first (the server checks again):
// [{field, code: "required" | "too_long" | "script", n?, key?, name?}] in form order.
export function localProblems(template, values) {
  const problems = [];
  for (const s of fieldStates(template, values || {})) {
    if (!s.visible) continue;
    const raw = values[s.field.id];
    const max = s.field.max_chars || 40;
    const script = s.field.kind === "text" && typeof s.value === "string" ? scriptProblem(s.value) : null;
    if (s.field.kind === "text" && typeof raw === "string" && Array.from(raw).length > max) problems.push({ field: s.field.id, code: "too_long", n: max });
    else if (s.field.required && !s.filled) problems.push({ field: s.field.id, code: "required" });
    else if (script) problems.push({ field: s.field.id, code: "script", key: script.key, name: script.name });
  }
  return problems;
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
