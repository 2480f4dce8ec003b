// The tool panels beside the canvas: text, photo, clipart, AI image and the layer list.
// Each returns {el, update()}; update() re-reads the selected layer.
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { frame } from "./geometry.js";
import { layerLabel } from "./model.js";
import { drawLayers } from "./render.js";
import { icon } from "./icons.js";
import { scriptProblem } from "./scripts.js";
import { clipartTools, photoTools } from "./photo_tools.js";

let uid = 0;
const field = (label, control) => {
  const id = "luneo-f" + ++uid;
  control.id = id;
  return h("div", { class: "luneo-field" }, h("label", { for: id }, label), control);
};

export function textPanel(ed) {
  const hint = h("p", { class: "luneo-hint" }, t("select_text_hint"));
  const text = h("textarea", { rows: 2, maxlength: 300, "data-luneo-text": "" }); // LUNEO_STOREFRONT_MAX_TEXT_CHARS
  const font = h("select", {}, ed.fontNames().map((f) => h("option", { value: f, style: "font-family:'" + f + "'" }, f)));
  const size = h("input", { type: "range", min: 2, max: 120, step: 0.5 });
  const curve = h("input", { type: "range", min: -270, max: 270, step: 5 });
  const colors = ed.template.colors || [];
  const swatches = colors.length
    ? h("div", { class: "luneo-swatches", role: "radiogroup", "aria-label": t("color") },
        colors.map((c) => h("button", { type: "button", role: "radio", class: "luneo-swatch", style: "background:" + c, "aria-label": c, "data-color": c, onclick: () => edit({ color: c }, true) })))
    : field(t("color"), h("input", { type: "color", onchange: (e) => edit({ color: e.target.value }, true) }));
  const aligns = ["left", "center", "right"].map((a) =>
    h("button", { type: "button", class: "luneo-chip", "data-align": a, "aria-pressed": "false", onclick: () => edit({ align: a }, true) }, t("align_" + a)));
  const look = textLook(ed, (changes, commit) => edit(changes, commit));
  const scriptProblem = h("p", { class: "luneo-problem", role: "alert", "data-luneo-script-problem": "", hidden: true });
  const editor = h("div", { class: "luneo-text-edit" },
    field(t("text"), text), scriptProblem, field(t("font"), font), field(t("size"), size),
    h("div", { class: "luneo-field" }, h("span", {}, t("color")), swatches),
    h("div", { class: "luneo-field", role: "group", "aria-label": t("align") }, h("span", {}, t("align")), h("div", { class: "luneo-chips" }, aligns)),
    field(t("curve"), curve), look.el);
  const add = h("button", { type: "button", class: "luneo-secondary", "data-luneo-add-text": "", onclick: () => { ed.addText(); text.focus(); text.select(); } }, t("add_text"));
  const el = h("div", { class: "luneo-panel" }, add, hint, editor);

  function edit(changes, commit) {
    const layer = ed.selected();
    if (!layer || layer.type !== "text") return;
    Object.assign(layer, changes);
    ed.changed();
    if (commit) ed.commit();
    update();
  }
  text.addEventListener("input", () => edit({ text: text.value }));
  text.addEventListener("change", () => ed.commit());
  font.addEventListener("change", () => edit({ font: font.value }, true));
  size.addEventListener("input", () => edit({ size_mm: Number(size.value) }));
  size.addEventListener("change", () => ed.commit());
  curve.addEventListener("input", () => edit({ arc_degrees: Number(curve.value) }));
  curve.addEventListener("change", () => ed.commit());

  function update() {
    const layer = ed.selected();
    const on = !!layer && layer.type === "text";
    editor.hidden = !on;
    hint.hidden = on;
    if (!on) return;
    if (document.activeElement !== text) text.value = layer.text;
    const refused = textRefusal(layer.text);
    scriptProblem.hidden = !refused;
    scriptProblem.textContent = refused || "";
    text.setAttribute("aria-invalid", String(!!refused));
    look.update(layer);
    font.value = layer.font;
    size.value = String(layer.size_mm);
    curve.value = String(layer.arc_degrees || 0);
    for (const b of aligns) b.setAttribute("aria-pressed", String(b.dataset.align === (layer.align || "left")));
    for (const b of swatches.querySelectorAll ? swatches.querySelectorAll("[data-color]") : [])
      b.setAttribute("aria-checked", String(b.dataset.color.toLowerCase() === String(layer.color).toLowerCase()));
  }
  return { el, update };
}

// Why a text cannot be printed (scripts.js), in the shopper's words; "" when it can.
export function textRefusal(value) {
  const problem = scriptProblem(value);
  return problem ? t("script_" + problem.key, { name: problem.name }) : "";
}

// Line and letter spacing, outline and shadow of the selected text (schema: design-document.v1).
function textLook(ed, edit) {
  const colors = ed.template.colors || [];
  const colorControl = (label, pick) => {
    const control = colors.length
      ? h("select", {}, colors.map((c) => h("option", { value: c }, c)))
      : h("input", { type: "color" });
    control.addEventListener("change", () => pick(control.value));
    return { el: field(label, control), control };
  };
  const range = (label, attrs, apply) => {
    const input = h("input", { type: "range", ...attrs });
    input.addEventListener("input", () => apply(Number(input.value), false));
    input.addEventListener("change", () => apply(Number(input.value), true));
    return { el: field(label, input), input };
  };
  const toggle = (label, onChange) => {
    const box = h("input", { type: "checkbox" });
    box.addEventListener("change", () => onChange(box.checked));
    return { el: h("label", { class: "luneo-check" }, box, " ", label), box };
  };
  const selected = () => ed.selected() || {};
  const contrast = (layer) => (String(layer.color || "").toLowerCase() === (colors[0] || "#000000").toLowerCase() ? colors[1] || "#ffffff" : colors[0] || "#000000");
  const lines = range(t("line_spacing"), { min: 0.8, max: 3, step: 0.05, "data-luneo-line-spacing": "" }, (v, c) => edit({ line_spacing: v }, c));
  const letters = range(t("letter_spacing"), { min: -2, max: 20, step: 0.1, "data-luneo-letter-spacing": "" }, (v, c) => edit({ letter_spacing_mm: v }, c));
  const outlineOn = toggle(t("outline"), (on) => edit(on ? { stroke: contrast(selected()), stroke_width_mm: selected().stroke_width_mm || 0.5 } : { stroke: undefined, stroke_width_mm: undefined }, true));
  outlineOn.box.setAttribute("data-luneo-outline", "");
  const outlineColor = colorControl(t("outline_color"), (c) => edit({ stroke: c }, true));
  const outlineWidth = range(t("outline_width"), { min: 0.1, max: 5, step: 0.1, "data-luneo-outline-width": "" }, (v, c) => edit({ stroke_width_mm: v }, c));
  const shade = (changes, c) => edit({ shadow: { ...(selected().shadow || {}), ...changes } }, c);
  const shadowOn = toggle(t("shadow"), (on) => edit({ shadow: on ? { color: colors[0] || "#000000", offset_x_mm: 0.8, offset_y_mm: 0.8, blur_mm: 0.8, opacity: 0.6 } : undefined }, true));
  shadowOn.box.setAttribute("data-luneo-shadow", "");
  const shadowColor = colorControl(t("shadow_color"), (c) => shade({ color: c }, true));
  const shadowX = range(t("shadow_x"), { min: -10, max: 10, step: 0.1, "data-luneo-shadow-x": "" }, (v, c) => shade({ offset_x_mm: v }, c));
  const shadowY = range(t("shadow_y"), { min: -10, max: 10, step: 0.1 }, (v, c) => shade({ offset_y_mm: v }, c));
  const shadowBlur = range(t("shadow_blur"), { min: 0, max: 10, step: 0.1, "data-luneo-shadow-blur": "" }, (v, c) => shade({ blur_mm: v }, c));
  const outlineTools = h("div", { class: "luneo-subtools" }, outlineColor.el, outlineWidth.el);
  const shadowTools = h("div", { class: "luneo-subtools" }, shadowColor.el, shadowX.el, shadowY.el, shadowBlur.el);
  const el = h("div", { class: "luneo-text-look" }, lines.el, letters.el, outlineOn.el, outlineTools, shadowOn.el, shadowTools);
  function update(layer) {
    lines.input.value = String(layer.line_spacing || 1.2);
    letters.input.value = String(layer.letter_spacing_mm || 0);
    const outlined = !!layer.stroke && layer.stroke_width_mm > 0;
    outlineOn.box.checked = outlined;
    outlineTools.hidden = !outlined;
    if (outlined) {
      outlineColor.control.value = layer.stroke;
      outlineWidth.input.value = String(layer.stroke_width_mm);
    }
    const sh = layer.shadow;
    shadowOn.box.checked = !!sh;
    shadowTools.hidden = !sh;
    if (sh) {
      shadowColor.control.value = sh.color;
      shadowX.input.value = String(sh.offset_x_mm || 0);
      shadowY.input.value = String(sh.offset_y_mm || 0);
      shadowBlur.input.value = String(sh.blur_mm || 0);
    }
  }
  return { el, update };
}

export function photoPanel(ed) {
  const input = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp,image/*", class: "luneo-file", "data-luneo-upload": "" });
  const label = h("label", { class: "luneo-secondary luneo-upload", for: "" }, t("upload"));
  const dpi = h("p", { class: "luneo-dpi", role: "status" });
  const tools = photoTools(ed);
  const el = h("div", { class: "luneo-panel" }, label, input, h("p", { class: "luneo-hint" }, t("upload_hint")), dpi, tools.el);
  input.id = "luneo-upload-" + ++uid;
  label.setAttribute("for", input.id);
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (file) await ed.uploadPhoto(file);
    update();
  });
  function update() {
    tools.update();
    const layer = ed.selected();
    const value = layer && layer.type === "image" ? ed.dpiOf(layer) : null;
    const min = ed.template.min_image_dpi || 100;
    dpi.hidden = value === null;
    if (value === null) return;
    const low = ed.template.low_dpi_policy === "refuse" ? "dpi_refused" : "dpi_low";
    dpi.textContent = value < min ? t(low, { dpi: value, min }) : t("dpi_ok", { dpi: value });
    dpi.classList.toggle("luneo-warn", value < min);
    if (value < min) ed.noteWarning("image_dpi_too_low");
    dpi.dataset.dpi = String(value);
  }
  return { el, update };
}

export function clipartPanel(ed) {
  const sets = ed.template.clipart || [];
  const tools = clipartTools(ed);
  const el = h("div", { class: "luneo-panel" }, tools.el);
  if (!sets.some((s) => (s.items || []).length)) el.append(h("p", { class: "luneo-hint" }, t("clipart_empty")));
  for (const set of sets) {
    el.append(
      h("h3", { class: "luneo-subtitle" }, set.label || set.set),
      h("div", { class: "luneo-grid" }, (set.items || []).map((item) =>
        h("button", { type: "button", class: "luneo-clip", "aria-label": item.label || item.name, title: item.label || item.name, onclick: () => ed.addClipart(item) },
          h("img", { src: item.url, alt: "", loading: "lazy", crossorigin: "anonymous" })))),
    );
  }
  return { el, update: tools.update };
}

export function aiPanel(ed) {
  const ai = ed.template.ai || (ed.template.ai_enabled ? { enabled: true } : null);
  if (!ai || !ai.enabled) return null;
  const prompt = h("textarea", { rows: 3, maxlength: 1000, "data-luneo-prompt": "" });
  const style = h("select", {}, h("option", { value: "" }, t("ai_style_none")), (ai.styles || []).map((s) => h("option", { value: s.key }, s.label)));
  const progress = h("progress", { max: 100, value: 0, hidden: true, "aria-label": t("ai_working", { p: "" }) });
  const message = h("p", { class: "luneo-hint", role: "status" });
  const provider = h("p", { class: "luneo-provider" }, ai.provider_label ? t("ai_by", { provider: ai.provider_label }) : "");
  const go = h("button", { type: "button", class: "luneo-secondary" }, t("ai_generate"));
  const again = h("button", { type: "button", class: "luneo-secondary", hidden: true, "data-luneo-regenerate": "" }, t("ai_regenerate"));
  const choices = h("div", { class: "luneo-grid luneo-ai-choices", role: "group", "aria-label": t("ai_choose"), hidden: true });
  const el = h("div", { class: "luneo-panel" }, field(t("ai_prompt"), prompt), (ai.styles || []).length ? field(t("ai_style"), style) : null,
    h("div", { class: "luneo-chips" }, go, again), progress, message, choices, provider);
  let asked = null; // {prompt, style} of the set shown

  // One tile per variant: its picture once made, else how far it is.
  function show(variants, text) {
    const total = variants.length;
    choices.hidden = false;
    choices.replaceChildren(...variants.map((v, i) => {
      const ready = v.status === "succeeded" && v.image;
      const tile = h("button", { type: "button", class: "luneo-clip luneo-ai-choice", disabled: !ready, "aria-label": t("ai_use", { n: i + 1, total }), "data-variant": String(i) },
        ready ? h("img", { src: v.image.url, alt: "", crossorigin: "anonymous" }) : h("span", { class: "luneo-hint" }, v.status === "failed" || v.status === "refused" ? "×" : (v.progress || 0) + "%"));
      if (ready) tile.addEventListener("click", () => {
        if (ed.addAiImage(v.image, text)) message.textContent = t("ai_done");
      });
      return tile;
    }));
  }

  async function run(fresh) {
    const text = fresh && asked ? asked.prompt : prompt.value.trim();
    if (!text) return prompt.focus();
    const chosenStyle = fresh && asked ? asked.style : style.value;
    go.disabled = again.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    message.textContent = t("ai_working", { p: 0 });
    try {
      const ready = await ed.generate(text, chosenStyle, fresh, (variants) => {
        const p = Math.round(variants.reduce((sum, v) => sum + (v.progress || 0), 0) / variants.length);
        progress.value = p;
        message.textContent = variants.length > 1 ? t("ai_working_set", { n: variants.length, p }) : variants[0].message || t("ai_working", { p });
        if (variants[0].provider_label) provider.textContent = t("ai_by", { provider: variants[0].provider_label });
        show(variants, text);
      });
      asked = { prompt: text, style: chosenStyle };
      again.hidden = false;
      message.textContent = ready.length > 1 ? t("ai_pick") : t("ai_choose");
    } catch (err) {
      message.textContent = err.message || t("ai_failed");
    } finally {
      go.disabled = again.disabled = false;
      progress.hidden = true;
    }
  }
  go.addEventListener("click", () => run(false));
  again.addEventListener("click", () => run(true));
  return { el };
}

// A layer drawn alone, fitted in a small square: what the row shows beside the layer's name.
function thumbnail(ed, layer) {
  const size = 40;
  const c = h("canvas", { class: "luneo-thumb", width: size, height: size, "aria-hidden": "true" });
  const ctx = c.getContext("2d");
  const f = frame(layer);
  const s = (size - 4) / Math.max(f.width, f.height, 0.1);
  ctx.translate(size / 2 - (f.left + f.width / 2) * s, size / 2 - (f.top + f.height / 2) * s);
  drawLayers(ctx, [{ ...layer, hidden: false, rotation_deg: 0 }], s, ed.images);
  return c;
}

export function layersPanel(ed) {
  const list = h("ul", { class: "luneo-layers" });
  const el = h("div", { class: "luneo-panel" }, list);
  const label = (layer) => layerLabel(layer, t);
  function update() {
    list.replaceChildren();
    const layers = ed.layers();
    if (!layers.length) list.append(h("li", { class: "luneo-hint" }, t("layers_empty")));
    [...layers].reverse().forEach((layer) => {
      const name = label(layer);
      const item = h("button", {
        type: "button", class: "luneo-layer", "aria-pressed": String(layer.id === ed.selectedId), "data-layer": layer.id,
        onclick: () => ed.select(layer.id),
        // Arrow keys move the layer on the canvas (Shift: 10 mm); Alt+Up/Down changes its order.
        onkeydown: (e) => layerKeys(e, layer),
      }, name, layer.hidden ? h("span", { class: "luneo-sr" }, " (" + t("layer_hidden_note") + ")") : null);
      const toggle = (flag, text, icon) =>
        h("button", { type: "button", class: "luneo-icon", "aria-pressed": String(!!layer[flag]), "aria-label": text + " — " + name, title: text, "data-luneo-toggle": flag, onclick: () => ed.toggleLayer(layer.id, flag) }, icon);
      // A template field's layer is the merchant's: made again from the form, never hidden,
      // locked, moved in the list or deleted here.
      if (layer.field) return list.append(h("li", { "data-row": layer.id }, thumbnail(ed, layer), item));
      const handle = h("span", { class: "luneo-drag", title: t("layer_drag"), "aria-hidden": "true", "data-luneo-drag": "" }, "⠿");
      handle.addEventListener("pointerdown", (e) => drag(e, layer));
      list.append(h("li", { "data-row": layer.id, class: layer.hidden ? "luneo-layer-hidden" : null }, handle, thumbnail(ed, layer), item,
        toggle("hidden", t("layer_hide"), icon("eye")),
        toggle("locked", t("layer_lock"), icon("lock")),
        h("button", { type: "button", class: "luneo-icon", "aria-label": t("layer_up") + " — " + name, onclick: () => ed.moveLayer(layer.id, 1) }, "▲"),
        h("button", { type: "button", class: "luneo-icon", "aria-label": t("layer_down") + " — " + name, onclick: () => ed.moveLayer(layer.id, -1) }, "▼"),
        h("button", { type: "button", class: "luneo-icon", "aria-label": t("layer_delete") + " — " + name, "data-luneo-delete": "", onclick: () => ed.removeLayer(layer.id) }, icon("trash"))));
    });
  }
  // Drag a row by its handle (mouse, touch or pen): dropped on another row, the layer takes its place.
  function drag(e, layer) {
    e.preventDefault();
    const row = e.target.closest("li");
    row.classList.add("luneo-dragging");
    const target = (ev) => {
      const under = document.elementFromPoint(ev.clientX, ev.clientY);
      return under && under.closest && under.closest("[data-row]");
    };
    const move = (ev) => {
      for (const li of list.querySelectorAll("[data-row]")) li.classList.toggle("luneo-drop", li === target(ev) && li !== row);
    };
    const up = (ev) => {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      row.classList.remove("luneo-dragging");
      const over = target(ev);
      if (!over || over === row) return update();
      const layers = ed.layers();
      ed.moveLayerTo(layer.id, layers.findIndex((l) => l.id === over.dataset.row));
    };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
  }
  function layerKeys(e, layer) {
    if (!e.key.startsWith("Arrow")) return;
    e.preventDefault();
    ed.selectedId = layer.id;
    if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) ed.moveLayer(layer.id, e.key === "ArrowUp" ? 1 : -1);
    else ed.stage.key(e);
    const again = list.querySelector('[data-layer="' + layer.id + '"]');
    if (again) again.focus();
  }
  return { el, update };
}
