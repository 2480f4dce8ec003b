// The tool panels beside the canvas: text, photo, clipart, AI image and the layer list.
// Each returns {el, update()}; update() re-reads the selected layer.
import { h } from "./dom.js";
import { t } from "./i18n.js";
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
  const editor = h("div", { class: "luneo-text-edit" },
    field(t("text"), text), field(t("font"), font), field(t("size"), size),
    h("div", { class: "luneo-field" }, h("span", {}, t("color")), swatches),
    h("div", { class: "luneo-field", role: "group", "aria-label": t("align") }, h("span", {}, t("align")), h("div", { class: "luneo-chips" }, aligns)),
    field(t("curve"), curve));
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
    font.value = layer.font;
    size.value = String(layer.size_mm);
    curve.value = String(layer.arc_degrees || 0);
    for (const b of aligns) b.setAttribute("aria-pressed", String(b.dataset.align === (layer.align || "left")));
    for (const b of swatches.querySelectorAll ? swatches.querySelectorAll("[data-color]") : [])
      b.setAttribute("aria-checked", String(b.dataset.color.toLowerCase() === String(layer.color).toLowerCase()));
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
    dpi.textContent = value < min ? t("dpi_low", { dpi: value, min }) : t("dpi_ok", { dpi: value });
    dpi.classList.toggle("luneo-warn", value < min);
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
  const progress = h("progress", { max: 100, value: 0, hidden: true });
  const message = h("p", { class: "luneo-hint", role: "status" });
  const provider = h("p", { class: "luneo-provider" }, ai.provider_label ? t("ai_by", { provider: ai.provider_label }) : "");
  const go = h("button", { type: "button", class: "luneo-secondary" }, t("ai_generate"));
  const el = h("div", { class: "luneo-panel" }, field(t("ai_prompt"), prompt), (ai.styles || []).length ? field(t("ai_style"), style) : null, go, progress, message, provider);
  go.addEventListener("click", async () => {
    const text = prompt.value.trim();
    if (!text) return prompt.focus();
    go.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    message.textContent = t("ai_working", { p: 0 });
    try {
      await ed.generate(text, style.value, (job) => {
        progress.value = job.progress || 0;
        message.textContent = job.message || t("ai_working", { p: job.progress || 0 });
        if (job.provider_label) provider.textContent = t("ai_by", { provider: job.provider_label });
      });
      message.textContent = t("ai_done");
    } catch (err) {
      message.textContent = err.message || t("ai_failed");
    } finally {
      go.disabled = false;
      progress.hidden = true;
    }
  });
  return { el };
}

export function layersPanel(ed) {
  const list = h("ul", { class: "luneo-layers" });
  const el = h("div", { class: "luneo-panel" }, list);
  const label = (layer) =>
    layer.type === "text" ? t("layer_text", { text: layer.text.slice(0, 40) }) : t("layer_" + layer.type, { name: layer.name || "" });
  function update() {
    list.replaceChildren();
    const layers = ed.layers();
    if (!layers.length) list.append(h("li", { class: "luneo-hint" }, t("layers_empty")));
    [...layers].reverse().forEach((layer) => {
      const item = h("button", {
        type: "button", class: "luneo-layer", "aria-pressed": String(layer.id === ed.selectedId), "data-layer": layer.id,
        onclick: () => ed.select(layer.id),
        // Arrow keys move the layer on the canvas (Shift: 10 mm); Alt+Up/Down changes its order.
        onkeydown: (e) => layerKeys(e, layer),
      }, label(layer));
      list.append(h("li", {}, item,
        h("button", { type: "button", class: "luneo-icon", "aria-label": t("layer_up") + " — " + label(layer), onclick: () => ed.moveLayer(layer.id, 1) }, "▲"),
        h("button", { type: "button", class: "luneo-icon", "aria-label": t("layer_down") + " — " + label(layer), onclick: () => ed.moveLayer(layer.id, -1) }, "▼")));
    });
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
