// Form mode: the template's fields in order, each with its label, help and the problem to fix next
// to it. Every change writes ed.doc.fields and asks the editor to materialize the preview.
// Choices are native radio groups (labels, arrow keys and screen readers for free) or a <select>.
import { h } from "./dom.js";
import { coverCrop, valueOf, visibleIds } from "./fields.js";
import { t } from "./i18n.js";

let uid = 0;

// "clipart:<set>/<name>" -> the URL the template's clipart list gives it (or one built alike).
export function clipartUrl(template, ref) {
  const piece = (template.field_clipart || {})[ref];
  if (piece && piece.url) return piece.url;
  let any = null;
  for (const set of template.clipart || [])
    for (const item of set.items || []) {
      if (item.src === ref) return item.url;
      any = any || item;
    }
  const m = /^clipart:([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(ref || "");
  if (!m) return null;
  if (any) return any.url.replace(/\/[^/]+\/[^/]+\.svg(\?.*)?$/, "/" + m[1] + "/" + m[2] + ".svg");
  return null;
}

// The pieces a clipart field offers: its sets, from what the template lists for its fields
// (field_clipart, in the sets' order), else from the canvas's clipart sets.
function clipartItems(template, field) {
  const sets = field.sets || [];
  const inSets = (ref) => sets.includes((/^clipart:([^/]+)\//.exec(ref) || [])[1]);
  const listed = Object.entries(template.field_clipart || {}).filter(([ref]) => inSets(ref));
  if (listed.length) return listed.map(([ref, piece]) => ({ src: ref, label: piece.label, url: piece.url }));
  const items = [];
  for (const set of template.clipart || []) if (sets.includes(set.set)) items.push(...(set.items || []));
  return items;
}

function priceSuffix(ed, amount) {
  const n = Number(amount || 0);
  return n > 0 ? " (+" + ed.money(n) + ")" : "";
}

// A radio group: fieldset + legend, one native radio per choice, drawn as chips or swatches.
function radios(ed, field, name, choices, current, onPick, swatches) {
  const legendId = "luneo-legend-" + ++uid;
  const group = h("div", { class: swatches ? "luneo-swatches luneo-form-swatches" : "luneo-chips" });
  for (const choice of choices) {
    const id = "luneo-r" + ++uid;
    const input = h("input", { type: "radio", name, id, value: choice.value, class: "luneo-radio", checked: choice.value === current });
    input.addEventListener("change", () => input.checked && onPick(choice.value));
    const face = swatches
      ? h("span", { class: "luneo-swatch-dot" + (choice.value === "" ? " luneo-none" : ""), style: "background:" + (choice.swatch || "#e5e7eb") }, choice.image ? h("img", { src: choice.image, alt: "", crossorigin: "anonymous" }) : null)
      : null;
    const text = h("span", { class: swatches ? "luneo-sr" : "" }, choice.label);
    group.append(h("label", { for: id, class: swatches ? "luneo-swatch-choice" : "luneo-chip luneo-choice", title: choice.label }, input, face, text));
  }
  return { el: group, legendId };
}

export function formPanel(ed) {
  const tpl = ed.template;
  const fields = tpl.fields || [];
  const el = h("div", { class: "luneo-panel luneo-form", "data-luneo-form": "" });
  const rows = {};
  const problemsEl = {};
  const focusable = {};
  // Field id -> what refreshes its controls (typing refreshes only the field being typed in).
  const byField = {};
  const updaters = { push: (fid, fn) => (byField[fid] = byField[fid] || []).push(fn) };

  const set = (field, value, commit) => {
    ed.setField(field.id, value, commit);
  };

  for (const field of fields) {
    const id = "luneo-field-" + field.id;
    const problem = h("p", { class: "luneo-problem", id: id + "-problem", "data-luneo-problem": field.id, hidden: true });
    problemsEl[field.id] = problem;
    const help = field.help ? h("p", { class: "luneo-hint", id: id + "-help" }, field.help) : null;
    const describedBy = [help && id + "-help", id + "-problem"].filter(Boolean).join(" ");
    const label = field.label + (field.required ? " *" : "");
    const price = field.price && Number(field.price.amount) > 0 ? priceSuffix(ed, field.price.amount) : "";
    let body;

    if (field.kind === "text") {
      const max = field.max_chars || 40;
      const input = h("input", {
        type: "text", id, maxlength: max, placeholder: field.placeholder || "", autocomplete: "off",
        "aria-describedby": describedBy + " " + id + "-count", "data-luneo-input": field.id, "aria-required": field.required ? "true" : null,
        class: field.uppercase ? "luneo-upper" : null,
      });
      const count = h("span", { class: "luneo-count", id: id + "-count", "aria-live": "off" });
      const fonts = (field.fonts || []).length > 1 ? field.fonts : [];
      const colors = (field.colors || []).length > 1 ? field.colors : [];
      const extras = [];
      // The text is the field's value; a font or colour the shopper picks rides on its layer.
      const update = (changes, commit) => ed.setFieldStyle(field, changes, commit);
      input.addEventListener("input", () => {
        ed.markInput();
        set(field, input.value, false);
      });
      input.addEventListener("change", () => ed.commit());
      let fontSelect = null;
      if (fonts.length) {
        fontSelect = h("select", { id: id + "-font" }, fonts.map((f) => h("option", { value: f, style: "font-family:'" + f + "'" }, f)));
        fontSelect.addEventListener("change", () => update({ font: fontSelect.value }, true));
        extras.push(h("div", { class: "luneo-field" }, h("label", { for: fontSelect.id }, t("font")), fontSelect));
      }
      let colorGroup = null;
      if (colors.length) {
        const r = radios(ed, field, id + "-color", colors.map((c) => ({ value: c, label: c, swatch: c })), null, (c) => update({ color: c }, true), true);
        colorGroup = r.el;
        extras.push(h("fieldset", { class: "luneo-fieldset luneo-sub" }, h("legend", {}, t("color")), colorGroup));
      }
      updaters.push(field.id, () => {
        const value = valueOf(ed.template, ed.doc.fields, field.id);
        const text = typeof value === "string" ? value : "";
        if (document.activeElement !== input) input.value = text;
        count.textContent = t("count", { n: Array.from(input.value).length, max });
        const chosen = ed.fieldStyle(field);
        if (fontSelect) fontSelect.value = chosen.font || field.font || fonts[0];
        if (colorGroup) for (const radio of colorGroup.querySelectorAll("input")) radio.checked = radio.value === (chosen.color || field.color);
      });
      focusable[field.id] = input;
      body = h("div", { class: "luneo-field" },
        h("div", { class: "luneo-label-row" }, h("label", { for: id }, label + price), count),
        input, help, problem, ...extras);
    } else if (field.kind === "photo") {
      body = photoField(ed, field, { id, label: label + price, help, problem, describedBy, focusable, updaters });
    } else if (field.kind === "clipart") {
      const items = clipartItems(tpl, field);
      const choices = items.map((item) => ({ value: item.src, label: item.label || item.name, image: item.url }));
      // "None" only where the server keeps it (a given null falls back to the default).
      if (!field.required && !field.default) choices.unshift({ value: "", label: t("none"), swatch: "#ffffff" });
      const r = radios(ed, field, id, choices, valueOf(ed.template, ed.doc.fields, field.id) || "", (v) => set(field, v || null, true), true);
      r.el.classList.add("luneo-clip-choices");
      updaters.push(field.id, () => {
        const value = valueOf(ed.template, ed.doc.fields, field.id) || "";
        for (const radio of r.el.querySelectorAll("input")) radio.checked = radio.value === value;
      });
      focusable[field.id] = () => r.el.querySelector("input:checked") || r.el.querySelector("input");
      body = h("fieldset", { class: "luneo-fieldset", "aria-describedby": describedBy }, h("legend", {}, label + price), help, r.el, problem);
    } else if (field.kind === "choice") {
      const options = field.options || [];
      const labelOf = (o) => o.label + priceSuffix(ed, o.price);
      if (field.display === "dropdown") {
        const select = h("select", { id, "aria-describedby": describedBy, "data-luneo-input": field.id },
          field.required && !field.default ? h("option", { value: "" }, t("choose")) : null,
          options.map((o) => h("option", { value: o.value }, labelOf(o))));
        select.addEventListener("change", () => ed.pickOption(field, select.value || null));
        updaters.push(field.id, () => (select.value = valueOf(ed.template, ed.doc.fields, field.id) || ""));
        focusable[field.id] = select;
        body = h("div", { class: "luneo-field" }, h("label", { for: id }, label), select, help, problem);
      } else {
        const swatches = field.display === "swatches";
        const r = radios(ed, field, id, options.map((o) => ({ value: o.value, label: labelOf(o), swatch: o.swatch })), valueOf(ed.template, ed.doc.fields, field.id), (v) => ed.pickOption(field, v), swatches);
        updaters.push(field.id, () => {
          const value = valueOf(ed.template, ed.doc.fields, field.id);
          for (const radio of r.el.querySelectorAll("input")) radio.checked = radio.value === value;
        });
        focusable[field.id] = () => r.el.querySelector("input:checked") || r.el.querySelector("input");
        const picked = swatches ? h("span", { class: "luneo-picked", "aria-hidden": "true" }) : null;
        if (picked) updaters.push(field.id, () => {
          const o = options.find((x) => x.value === valueOf(ed.template, ed.doc.fields, field.id));
          picked.textContent = o ? o.label : "";
        });
        body = h("fieldset", { class: "luneo-fieldset", "aria-describedby": describedBy }, h("legend", {}, label, picked ? ": " : null, picked), help, r.el, problem);
      }
    } else continue;
    rows[field.id] = h("div", { class: "luneo-form-row", "data-luneo-field": field.id }, body);
    el.append(rows[field.id]);
  }

  function update(only) {
    if (only) return (byField[only] || []).forEach((u) => u());
    const shown = visibleIds(tpl, ed.doc.fields || {});
    for (const field of fields) if (rows[field.id]) rows[field.id].hidden = !shown.has(field.id);
    for (const list of Object.values(byField)) for (const u of list) u();
  }

  // Problems: {fieldId: message}; the inputs say so to assistive tech too.
  function showProblems(messages) {
    for (const [fid, p] of Object.entries(problemsEl)) {
      const message = messages[fid];
      p.hidden = !message;
      p.textContent = message || "";
      const target = typeof focusable[fid] === "function" ? null : focusable[fid];
      if (target) target.setAttribute("aria-invalid", message ? "true" : "false");
      if (rows[fid]) rows[fid].classList.toggle("luneo-invalid", !!message);
    }
  }

  function focusField(fid) {
    let target = focusable[fid];
    if (typeof target === "function") target = target();
    if (rows[fid]) rows[fid].scrollIntoView({ block: "center", behavior: "auto" });
    if (target) target.focus({ preventScroll: true });
  }

  update();
  return { el, update, showProblems, focusField };
}

// The photo frame: upload, then drag to pan and a slider to zoom inside the frame's shape.
function photoField(ed, field, ctx) {
  const { id, label, help, problem, describedBy, focusable, updaters } = ctx;
  const input = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp,image/*", class: "luneo-file", id, "data-luneo-photo": field.id, "aria-describedby": describedBy });
  const button = h("label", { class: "luneo-secondary luneo-upload", for: id }, t("upload"));
  const box = field.box || { width_mm: 1, height_mm: 1 };
  const aspect = box.width_mm / box.height_mm;
  const canvas = h("canvas", { class: "luneo-frame", width: 240, height: Math.round(240 / aspect), tabindex: "0", role: "application", "aria-label": t("frame_label", { label: field.label }), "data-luneo-frame": field.id });
  const zoom = h("input", { type: "range", min: 1, max: 4, step: 0.05, value: 1, id: id + "-zoom", "data-luneo-zoom": field.id });
  const remove = h("button", { type: "button", class: "luneo-secondary", onclick: () => ed.setField(field.id, null, true) }, t("remove_photo"));
  const dpi = h("p", { class: "luneo-dpi", role: "status", "data-luneo-frame-dpi": field.id });
  const tools = h("div", { class: "luneo-frame-tools" }, canvas,
    h("div", { class: "luneo-field" }, h("label", { for: zoom.id }, t("zoom")), zoom),
    h("p", { class: "luneo-hint" }, t("frame_hint")), dpi, remove);
  focusable[field.id] = input;
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    ed.track(
      ed.uploadFieldPhoto(field, file).then((result) => {
        if (result) ed.setField(field.id, { src: result.src, crop: coverCrop(result, box, 1) }, true);
      }),
    );
  });

  const state = () => {
    const value = valueOf(ed.template, ed.doc.fields, field.id);
    const info = value && value.src ? ed.imageInfo[value.src] : null;
    return { value, info };
  };
  const setCrop = (zoomTo, cx, cy, commit) => {
    const { value, info } = state();
    if (!value || !info) return;
    const crop = coverCrop(info, box, zoomTo, cx, cy);
    ed.setField(field.id, { ...value, crop }, commit);
  };
  const current = () => {
    const { value, info } = state();
    const c = (value && value.crop) || { x: 0, y: 0, width: 1, height: 1 };
    const full = info ? coverCrop(info, box, 1) : c;
    return { c, z: full.width / c.width || 1, cx: c.x + c.width / 2, cy: c.y + c.height / 2 };
  };
  zoom.addEventListener("input", () => {
    const now = current();
    setCrop(Number(zoom.value), now.cx, now.cy, false);
  });
  zoom.addEventListener("change", () => ed.commit());
  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId);
    drag = { x: e.clientX, y: e.clientY, start: current() };
    e.preventDefault();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const rect = canvas.getBoundingClientRect();
    const s = drag.start;
    // Dragging the photo right shows more of its left side: the crop moves the other way.
    const cx = s.cx - ((e.clientX - drag.x) / rect.width) * s.c.width;
    const cy = s.cy - ((e.clientY - drag.y) / rect.height) * s.c.height;
    setCrop(s.z, cx, cy, false);
  });
  const end = () => {
    if (!drag) return;
    drag = null;
    ed.commit();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  // Keyboard: arrows move the photo in the frame (a tenth of what shows), + and − zoom.
  canvas.addEventListener("keydown", (e) => {
    const now = current();
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[e.key]) setCrop(now.z, now.cx - moves[e.key][0] * now.c.width * 0.1, now.cy - moves[e.key][1] * now.c.height * 0.1, true);
    else if (e.key === "+" || e.key === "=") setCrop(Math.min(4, now.z * 1.1), now.cx, now.cy, true);
    else if (e.key === "-") setCrop(Math.max(1, now.z / 1.1), now.cx, now.cy, true);
    else return;
    e.preventDefault();
  });

  updaters.push(field.id, () => {
    const { value, info } = state();
    const has = !!(value && value.src);
    tools.hidden = !has;
    button.textContent = has ? t("replace_photo") : t("upload");
    if (!has) return;
    const now = current();
    if (document.activeElement !== zoom) zoom.value = String(Math.min(4, Math.max(1, now.z)));
    drawFrame(ed, canvas, field, value);
    const min = field.min_dpi || ed.template.min_image_dpi || 100;
    if (info) {
      const c = now.c;
      const value_dpi = Math.floor(Math.min((info.width_px * c.width) / (box.width_mm / 25.4), (info.height_px * c.height) / (box.height_mm / 25.4)));
      const low = ed.template.low_dpi_policy === "refuse" ? "frame_dpi_refused" : "frame_dpi_low";
      dpi.textContent = value_dpi < min ? t(low, { dpi: value_dpi, min }) : t("dpi_ok", { dpi: value_dpi });
      dpi.classList.toggle("luneo-warn", value_dpi < min);
      if (value_dpi < min) ed.noteWarning("image_dpi_too_low");
      dpi.dataset.dpi = String(value_dpi);
    }
  });
  return h("div", { class: "luneo-field" }, h("span", { class: "luneo-label" }, label), button, input, help, tools, problem);
}

function drawFrame(ed, canvas, field, value) {
  const ctx = canvas.getContext("2d");
  const img = ed.images.get(value.src);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.save();
  clipPath(ctx, field.shape || "rect", canvas.width, canvas.height);
  ctx.fillStyle = "#e5e7eb";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (img && img.complete && img.naturalWidth) {
    const c = value.crop || { x: 0, y: 0, width: 1, height: 1 };
    ctx.drawImage(img, c.x * img.naturalWidth, c.y * img.naturalHeight, c.width * img.naturalWidth, c.height * img.naturalHeight, 0, 0, canvas.width, canvas.height);
  }
  // A mask frame: only what the mask's drawn shape covers stays.
  const mask = field.shape === "mask" && field.mask ? ed.images.get(field.mask) : null;
  if (mask && mask.complete && mask.naturalWidth) {
    ctx.globalCompositeOperation = "destination-in";
    ctx.drawImage(mask, 0, 0, canvas.width, canvas.height);
  }
  ctx.restore();
}

// The frame's outline on a w×h box at the origin (a mask frame is cut by its mask afterwards).
export function clipPath(ctx, shape, w, hgt) {
  ctx.beginPath();
  if (shape === "ellipse") ctx.ellipse(w / 2, hgt / 2, w / 2, hgt / 2, 0, 0, Math.PI * 2);
  else if (shape === "rounded" && ctx.roundRect) ctx.roundRect(0, 0, w, hgt, Math.min(w, hgt) * 0.12);
  else ctx.rect(0, 0, w, hgt);
  ctx.clip();
}
