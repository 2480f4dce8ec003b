// A picture's own edits: crop, quarter turns, flips and colour filters (photos), colour and flips
// (clipart), and removing a photo's plain background on the server. The drawing helpers here are
// the preview's twin of app/design/adjust.py: same order (turn, flip, brightness, contrast,
// grayscale, sepia), same formulas, each colour step clamped to 0..255, so the print is what the
// shopper saw.
import { h } from "./dom.js";
import { t } from "./i18n.js";

const GRAY = [[0.2126, 0.7152, 0.0722], [0.2126, 0.7152, 0.0722], [0.2126, 0.7152, 0.0722]];
const SEPIA = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]];
const clamp = (v) => (v < 0 ? 0 : v > 255 ? 255 : v);
const sideways = (layer) => layer.turn === 90 || layer.turn === 270;

export function filtersActive(f) {
  return !!f && ((f.brightness ?? 1) !== 1 || (f.contrast ?? 1) !== 1 || !!f.grayscale || !!f.sepia);
}

function mix(m, r, g, b) {
  return [0, 1, 2].map((i) => clamp(m[i][0] * r + m[i][1] * g + m[i][2] * b));
}

// RGBA bytes in place; alpha untouched.
export function applyFilters(data, f) {
  const bright = f.brightness ?? 1;
  const contrast = f.contrast ?? 1;
  const offset = 127.5 * (1 - contrast);
  for (let i = 0; i < data.length; i += 4) {
    let r = data[i];
    let g = data[i + 1];
    let b = data[i + 2];
    if (bright !== 1) [r, g, b] = [clamp(r * bright), clamp(g * bright), clamp(b * bright)];
    if (contrast !== 1) [r, g, b] = [clamp(r * contrast + offset), clamp(g * contrast + offset), clamp(b * contrast + offset)];
    if (f.grayscale) [r, g, b] = mix(GRAY, r, g, b);
    if (f.sepia) [r, g, b] = mix(SEPIA, r, g, b);
    data[i] = Math.floor(r + 0.5);
    data[i + 1] = Math.floor(g + 0.5);
    data[i + 2] = Math.floor(b + 0.5);
  }
}

// The box's proportions as the picture sees them before its quarter turn.
export function pictureRatio(layer) {
  return sideways(layer) ? layer.height_mm / layer.width_mm : layer.width_mm / layer.height_mm;
}

// The part of the picture shown, in its pixels [x, y, w, h]: the crop, and in a frame (clip) its
// centred cut to the frame's proportions (app/design/images.py placed_crop).
export function sourceRect(layer, image) {
  const iw = image.naturalWidth;
  const ih = image.naturalHeight;
  const c = layer.crop;
  let r = [0, 0, iw, ih];
  if (c) r = c.unit === "px" ? [c.x, c.y, c.width, c.height] : [c.x * iw, c.y * ih, c.width * iw, c.height * ih];
  if (!(layer.clip && layer.clip.shape)) return r;
  const ratio = pictureRatio(layer);
  const [x, y, w, hh] = r;
  if (w / hh > ratio) return [x + (w - hh * ratio) / 2, y, hh * ratio, hh];
  return [x, y + (hh - w / ratio) / 2, w, w / ratio];
}

// Draw `src` of the picture into the box (x, y, w, hgt), turned then flipped.
export function drawOriented(ctx, image, src, x, y, w, hgt, layer) {
  const turn = layer.turn || 0;
  if (!turn && !layer.flip_x && !layer.flip_y) {
    ctx.drawImage(image, ...src, x, y, w, hgt);
    return;
  }
  ctx.save();
  ctx.translate(x + w / 2, y + hgt / 2);
  ctx.scale(layer.flip_x ? -1 : 1, layer.flip_y ? -1 : 1);
  ctx.rotate((turn * Math.PI) / 180);
  const dw = sideways(layer) ? hgt : w;
  const dh = sideways(layer) ? w : hgt;
  ctx.drawImage(image, ...src, -dw / 2, -dh / 2, dw, dh);
  ctx.restore();
}

// The picture turned, flipped and filtered at w x hgt pixels; the last few are kept, so dragging
// a filtered photo does not filter it again on every frame.
const edited = new Map();
export function editedCanvas(image, src, w, hgt, layer) {
  const key = [image.src, src.join(","), w, hgt, layer.turn || 0, !!layer.flip_x, !!layer.flip_y, JSON.stringify(layer.filters || {})].join("|");
  let canvas = edited.get(key);
  if (canvas) return canvas;
  canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = hgt;
  const o = canvas.getContext("2d", { willReadFrequently: true });
  drawOriented(o, image, src, 0, 0, w, hgt, layer);
  if (filtersActive(layer.filters)) {
    const pixels = o.getImageData(0, 0, w, hgt);
    applyFilters(pixels.data, layer.filters);
    o.putImageData(pixels, 0, 0);
  }
  edited.set(key, canvas);
  if (edited.size > 12) edited.delete(edited.keys().next().value);
  return canvas;
}

// ---------------------------------------------------------------- the panels' controls

const round = (n) => Math.round(n * 10000) / 10000;
const chip = (label, attrs, onclick) => h("button", { type: "button", class: "luneo-chip", "aria-pressed": "false", ...attrs, onclick }, label);
const range = (label, attrs) => {
  const input = h("input", { type: "range", ...attrs });
  return { input, el: h("label", { class: "luneo-field" }, h("span", {}, label), input) };
};

// Turn the picture a quarter clockwise; a plain (unframed) box turns with it, about its centre,
// so the picture is never stretched.
function turn(layer) {
  layer.turn = ((layer.turn || 0) + 90) % 360;
  if (layer.turn === 0) delete layer.turn;
  if (layer.clip) return;
  const cx = layer.x_mm + layer.width_mm / 2;
  const cy = layer.y_mm + layer.height_mm / 2;
  [layer.width_mm, layer.height_mm] = [layer.height_mm, layer.width_mm];
  layer.x_mm = cx - layer.width_mm / 2;
  layer.y_mm = cy - layer.height_mm / 2;
}

function flip(layer, key) {
  if (layer[key]) delete layer[key];
  else layer[key] = true;
}

export function photoTools(ed) {
  const image = () => {
    const layer = ed.selected();
    return layer && layer.type === "image" ? layer : null;
  };
  const edit = (change, commit) => {
    const layer = image();
    if (!layer) return;
    change(layer);
    ed.changed();
    if (commit) ed.commit();
    update();
  };
  const setFilter = (key, value, neutral) => (layer) => {
    const f = { ...(layer.filters || {}) };
    if (value === neutral) delete f[key];
    else f[key] = value;
    if (Object.keys(f).length) layer.filters = f;
    else delete layer.filters;
  };
  const turnButton = chip(t("turn"), { "data-luneo-turn": "", "aria-pressed": undefined }, () => edit(turn, true));
  const flipX = chip(t("flip_x"), { "data-luneo-flip-x": "" }, () => edit((l) => flip(l, "flip_x"), true));
  const flipY = chip(t("flip_y"), { "data-luneo-flip-y": "" }, () => edit((l) => flip(l, "flip_y"), true));
  const gray = chip(t("grayscale"), { "data-luneo-grayscale": "" }, () => edit((l) => setFilter("grayscale", !(l.filters && l.filters.grayscale), false)(l), true));
  const sepia = chip(t("sepia"), { "data-luneo-sepia": "" }, () => edit((l) => setFilter("sepia", !(l.filters && l.filters.sepia), false)(l), true));
  const bright = range(t("brightness"), { min: 0, max: 2, step: 0.05, "data-luneo-brightness": "" });
  const contrast = range(t("contrast"), { min: 0, max: 2, step: 0.05, "data-luneo-contrast": "" });
  for (const [control, key] of [[bright.input, "brightness"], [contrast.input, "contrast"]]) {
    control.addEventListener("input", () => edit(setFilter(key, Number(control.value), 1)));
    control.addEventListener("change", () => ed.commit());
  }

  // Crop: free (four edges; an unframed box takes the crop's proportions) or to the frame
  // (zoom and position inside the largest cut of the box's proportions).
  let cropMode = "free";
  const modes = ["free", "frame"].map((m) => chip(t("crop_" + m), { "data-luneo-crop-mode": m }, () => {
    cropMode = m;
    if (m === "frame") {
      ed.croppingId = null;
      edit((l) => frameCrop(l, 1, 0.5, 0.5), true);
    }
    else update();
  }));
  const edges = ["left", "right", "top", "bottom"].map((side) => range(t("crop_" + side), { min: 0, max: 90, step: 1, "data-luneo-crop": side }));
  const zoom = range(t("crop_zoom"), { min: 1, max: 5, step: 0.05, "data-luneo-crop-zoom": "" });
  const panX = range(t("crop_pan_x"), { min: 0, max: 1, step: 0.01, value: "0.5", "data-luneo-crop-pan-x": "" });
  const panY = range(t("crop_pan_y"), { min: 0, max: 1, step: 0.01, value: "0.5", "data-luneo-crop-pan-y": "" });
  // Handles on the picture itself (crop.js): free cropping of an unframed picture, by pointer.
  const onCanvas = chip(t("crop_on_canvas"), { "data-luneo-crop-canvas": "" }, () => {
    const layer = image();
    ed.cropOnCanvas(!(layer && ed.croppingId === layer.id));
  });
  const onCanvasHint = h("p", { class: "luneo-hint", "data-luneo-crop-canvas-hint": "" }, t("crop_on_canvas_hint"));
  const freeBox = h("div", { "data-luneo-crop-free": "" }, h("div", { class: "luneo-chips" }, onCanvas), onCanvasHint, edges.map((e) => e.el));
  const frameBox = h("div", { "data-luneo-crop-frame": "" }, zoom.el, panX.el, panY.el);
  const reset = h("button", { type: "button", class: "luneo-chip", "data-luneo-crop-reset": "", onclick: () => edit((l) => delete l.crop, true) }, t("crop_reset"));

  function natural(layer) {
    const img = ed.images.get(layer.src);
    return img && img.naturalWidth ? [img.naturalWidth, img.naturalHeight] : null;
  }
  // The largest part of the picture with the box's proportions, as fractions [width, height].
  function widest(layer) {
    const size = natural(layer);
    if (!size) return null;
    const [iw, ih] = size;
    const ratio = pictureRatio(layer);
    return iw / ih > ratio ? [(ih * ratio) / iw, 1] : [1, iw / ratio / ih];
  }
  function frameCrop(layer, z, px, py) {
    const size = natural(layer);
    const most = widest(layer);
    if (!size || !most) return;
    const [iw, ih] = size;
    let w = most[0] * iw;
    let hh = most[1] * ih;
    w /= z;
    hh /= z;
    layer.crop = { x: round((px * (iw - w)) / iw), y: round((py * (ih - hh)) / ih), width: round(w / iw), height: round(hh / ih) };
  }
  function freeCrop(layer) {
    const [l, r, tp, b] = edges.map((e) => Number(e.input.value) / 100);
    const crop = { x: round(l), y: round(tp), width: round(Math.max(0.05, 1 - l - r)), height: round(Math.max(0.05, 1 - tp - b)) };
    crop.x = Math.min(crop.x, round(1 - crop.width));
    crop.y = Math.min(crop.y, round(1 - crop.height));
    layer.crop = crop;
    const size = natural(layer);
    if (layer.clip || !size) return;
    // An unframed picture keeps its proportions: the box takes the crop's (same width, same centre).
    let aspect = (crop.width * size[0]) / (crop.height * size[1]);
    if (sideways(layer)) aspect = 1 / aspect;
    const cy = layer.y_mm + layer.height_mm / 2;
    layer.height_mm = layer.width_mm / aspect;
    layer.y_mm = cy - layer.height_mm / 2;
  }
  for (const e of edges) {
    e.input.addEventListener("input", () => edit(freeCrop));
    e.input.addEventListener("change", () => ed.commit());
  }
  for (const control of [zoom.input, panX.input, panY.input]) {
    control.addEventListener("input", () => edit((l) => frameCrop(l, Number(zoom.input.value), Number(panX.input.value), Number(panY.input.value))));
    control.addEventListener("change", () => ed.commit());
  }

  // Removing the background: a new picture from the server replaces the layer's; undo puts the
  // original back (it stays uploaded).
  const progress = h("progress", { hidden: true, "data-luneo-remove-bg-progress": "" });
  const message = h("p", { class: "luneo-hint", role: "status", "data-luneo-remove-bg-status": "" });
  const removeBg = h("button", { type: "button", class: "luneo-secondary", "data-luneo-remove-bg": "" }, t("remove_bg"));
  // A background too busy for the offline removal: the store's AI provider, when the product
  // offers AI images (queued and polled like one).
  const ai = ed.template.ai ? ed.template.ai.enabled : ed.template.ai_enabled;
  const tryAi = h("button", { type: "button", class: "luneo-secondary", hidden: true, "data-luneo-remove-bg-ai": "" }, t("remove_bg_ai"));
  const replace = (layer, picture, done) => {
    const before = ed.imageInfo[layer.src];
    ed.image(picture.src, picture.url);
    ed.imageInfo[picture.src] = { width_px: picture.width_px, height_px: picture.height_px };
    const aspect = picture.width_px / picture.height_px;
    if (before && Math.abs(before.width_px / before.height_px / aspect - 1) > 0.02) {
      // A model may answer other proportions: the old crop no longer names the same part, and
      // an unframed box takes the new picture's proportions (never stretched).
      delete layer.crop;
      if (!layer.clip) {
        const cy = layer.y_mm + layer.height_mm / 2;
        layer.height_mm = layer.width_mm / (sideways(layer) ? 1 / aspect : aspect);
        layer.y_mm = cy - layer.height_mm / 2;
      }
    }
    layer.src = picture.src;
    ed.changed();
    ed.commit();
    const undo = h("button", { type: "button", class: "luneo-chip", "data-luneo-remove-bg-undo": "", onclick: () => { ed.history.undo(); message.replaceChildren(); } }, t("remove_bg_undo"));
    message.replaceChildren(done, " ", undo);
  };
  const busy = async (work) => {
    const layer = image();
    if (!layer) return;
    removeBg.disabled = tryAi.disabled = true;
    progress.hidden = false;
    try {
      await work(layer);
    } catch (err) {
      message.replaceChildren(err.message || t("err_generic"));
      if (ai && err.code === "background_not_simple") tryAi.hidden = false;
    } finally {
      removeBg.disabled = tryAi.disabled = false;
      progress.hidden = true;
    }
  };
  removeBg.addEventListener("click", () => busy(async (layer) => {
    tryAi.hidden = true;
    message.replaceChildren(t("remove_bg_working"));
    const result = await ed.api.removeBackground(layer.src);
    replace(layer, result, t("remove_bg_done", { p: Math.round((result.removed || 0) * 100) }));
  }));
  tryAi.addEventListener("click", () => busy(async (layer) => {
    message.replaceChildren(t("remove_bg_ai_working", { p: 0 }));
    let job = await ed.api.startCutout({ template_id: ed.template.id, area: ed.areaKey, src: layer.src });
    for (let i = 0; i < 240 && !["succeeded", "failed", "refused"].includes(job.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, i < 5 ? 800 : 1500));
      job = await ed.api.generation(job.id);
      message.replaceChildren(t("remove_bg_ai_working", { p: job.progress || 0 }));
    }
    if (job.status !== "succeeded" || !job.image) throw new Error(job.message || t("ai_failed"));
    tryAi.hidden = true;
    replace(layer, job.image, t("remove_bg_ai_done"));
  }));

  const tools = h("div", { class: "luneo-photo-tools", "data-luneo-photo-tools": "" },
    h("h3", { class: "luneo-subtitle" }, t("photo_edit")),
    h("div", { class: "luneo-chips" }, turnButton, flipX, flipY),
    h("div", { class: "luneo-chips" }, gray, sepia),
    bright.el, contrast.el,
    h("div", { class: "luneo-field", role: "group", "aria-label": t("crop") }, h("span", {}, t("crop")), h("div", { class: "luneo-chips" }, modes, reset)),
    freeBox, frameBox,
    removeBg, tryAi, progress, message);

  let shown = null;
  function update() {
    const layer = image();
    tools.hidden = !layer;
    if (!layer) return;
    if (layer.id !== shown) {
      // Another photo: the last one's background message and AI offer are not about this one.
      shown = layer.id;
      tryAi.hidden = true;
      if (progress.hidden) message.replaceChildren();
    }
    const f = layer.filters || {};
    flipX.setAttribute("aria-pressed", String(!!layer.flip_x));
    flipY.setAttribute("aria-pressed", String(!!layer.flip_y));
    gray.setAttribute("aria-pressed", String(!!f.grayscale));
    sepia.setAttribute("aria-pressed", String(!!f.sepia));
    bright.input.value = String(f.brightness ?? 1);
    contrast.input.value = String(f.contrast ?? 1);
    for (const m of modes) m.setAttribute("aria-pressed", String(m.dataset.luneoCropMode === cropMode));
    freeBox.hidden = cropMode !== "free";
    const cropping = ed.croppingId === layer.id;
    onCanvas.hidden = !!layer.clip;
    onCanvas.setAttribute("aria-pressed", String(cropping));
    onCanvasHint.hidden = !cropping;
    frameBox.hidden = cropMode !== "frame";
    const c = layer.crop && layer.crop.unit !== "px" ? layer.crop : { x: 0, y: 0, width: 1, height: 1 };
    if (!freeBox.contains(document.activeElement)) {
      const values = [c.x, 1 - c.x - c.width, c.y, 1 - c.y - c.height];
      edges.forEach((e, i) => (e.input.value = String(Math.round(values[i] * 100))));
    }
    const most = widest(layer);
    if (most && !frameBox.contains(document.activeElement)) {
      const pan = (at, size) => (size < 0.999 ? at / (1 - size) : 0.5);
      zoom.input.value = String(Math.min(5, Math.max(1, most[0] / c.width)));
      panX.input.value = String(pan(c.x, c.width));
      panY.input.value = String(pan(c.y, c.height));
    }
  }
  return { el: tools, update };
}

export function clipartTools(ed) {
  const clip = () => {
    const layer = ed.selected();
    return layer && layer.type === "clipart" ? layer : null;
  };
  const edit = (change) => {
    const layer = clip();
    if (!layer) return;
    change(layer);
    ed.changed();
    ed.commit();
    update();
  };
  // The template's colours when the merchant chose some (the server refuses any other), else any.
  const colors = ed.template.colors || [];
  const swatches = colors.length
    ? h("div", { class: "luneo-swatches", role: "radiogroup", "aria-label": t("color") },
        colors.map((c) => h("button", { type: "button", role: "radio", class: "luneo-swatch", style: "background:" + c, "aria-label": c, "data-clip-color": c, onclick: () => edit((l) => (l.color = c)) })))
    : h("input", { type: "color", "data-clip-color-input": "", "aria-label": t("color"), onchange: (e) => edit((l) => (l.color = e.target.value)) });
  const flipX = chip(t("flip_x"), { "data-luneo-clip-flip-x": "" }, () => edit((l) => flip(l, "flip_x")));
  const flipY = chip(t("flip_y"), { "data-luneo-clip-flip-y": "" }, () => edit((l) => flip(l, "flip_y")));
  const el = h("div", { class: "luneo-clipart-tools", "data-luneo-clipart-tools": "" },
    h("h3", { class: "luneo-subtitle" }, t("clipart_edit")),
    h("div", { class: "luneo-field" }, h("span", {}, t("color")), swatches),
    h("div", { class: "luneo-chips" }, flipX, flipY));
  function update() {
    const layer = clip();
    el.hidden = !layer;
    if (!layer) return;
    flipX.setAttribute("aria-pressed", String(!!layer.flip_x));
    flipY.setAttribute("aria-pressed", String(!!layer.flip_y));
    for (const b of swatches.querySelectorAll ? swatches.querySelectorAll("[data-clip-color]") : [])
      b.setAttribute("aria-checked", String(b.dataset.clipColor.toLowerCase() === String(layer.color || "").toLowerCase()));
  }
  return { el, update };
}
