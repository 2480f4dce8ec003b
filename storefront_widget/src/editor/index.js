// The shopper's editor: an accessible modal over the product page. Loaded by the loader on the
// first click; exposes window.LuneoEditor.open(config, root, opener).
import { createTracker } from "./analytics.js";
import { ApiError, createApi } from "./api.js";
import { adapterFor, clearDraft, quantity, readDraft, writeDraft } from "./cart.js";
import { h, trapFocus } from "./dom.js";
import { icon } from "./icons.js";
import { effectiveDpi, fitBox, forgetMeasures, measureLine } from "./geometry.js";
import { fieldStates, localProblems, materialize, sentValues } from "./fields.js";
import { clipartUrl, formPanel } from "./form.js";
import { setLocale, t } from "./i18n.js";
import { History, documentFor, emptyDocument, insertIndex, newId, summarize } from "./model.js";
import { selectPageVariant } from "./page_variant.js";
import { prepare } from "./photo.js";
import { areaViews, drawMockup, loadTryOn, loadViewer, textureModel } from "./preview.js";
import { renderArea } from "./render.js";
import { Stage } from "./stage.js";
import { aiPanel, clipartPanel, layersPanel, photoPanel, textPanel, textRefusal } from "./panels.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// "Personalize Mug", but a product already called "Personalized Mug" keeps its own name.
function titleFor(product) {
  return /^(personali[sz]|custom)/i.test(product.trim()) ? product.trim() : t("title", { product }).trim();
}

class Editor {
  constructor(config, root, opener) {
    this.config = config;
    this.root = root;
    this.opener = opener;
    this.api = createApi(config);
    this.accent = (config.colors && config.colors.accent) || "#2563eb";
    this.images = new Map(); // src -> HTMLImageElement (drawn on the canvases)
    this.imageInfo = {}; // src -> {width_px, height_px}
    this.urls = {}; // src -> URL to display it
    this.selectedId = null;
    this.designId = null;
    this.editToken = null; // proof that this browser made the (anonymous) design: sent with each save
    this.savedRevision = -1;
    this.revision = 0;
    this.problems = {}; // field id -> the message shown next to it
    this.price = null; // the last quote: {currency, total, lines}
    this.quoteSeq = 0;
  }

  // ---------------------------------------------------------------- opening and closing
  async open() {
    this.buildShell();
    try {
      this.template = await this.api.template(this.config.productId);
    } catch (err) {
      this.status.textContent = err.status === 404 ? t("not_customizable") : err.message;
      return;
    }
    this.template.print_areas = [...this.template.print_areas].sort((a, b) => a.position - b.position);
    if (!this.template.print_areas.length) {
      this.status.textContent = t("not_customizable");
      return;
    }
    const first = this.template.print_areas.find((a) => a.key === this.config.area);
    this.areaKey = (first || this.template.print_areas[0]).key;
    this.tracker = createTracker(this.api, this.template.id, this.config);
    this.tracker.track("editor_opened");
    this.doc = emptyDocument(this.template);
    const mode = this.template.editor_mode || "canvas";
    this.hasForm = (mode === "form" || mode === "both") && (this.template.fields || []).length > 0;
    this.mode = this.hasForm ? "form" : "canvas";
    this.bothModes = this.hasForm && mode === "both";
    // Only a Luneo that knows template fields (editor_mode in the template) answers quotes.
    this.quotes = "editor_mode" in this.template;
    this.restoreDraft();
    if (this.hasForm) {
      this.adoptPageVariant();
      this.materializeFields();
      this.followOptionVariant();
    }
    this.history = new History(this.doc, (restored) => this.afterHistory(restored));
    this.savedMark = this.history.mark;
    this.loadFonts();
    this.buildWorkspace();
    this.modal.setAttribute("aria-busy", "false");
    this.stage.resize();
    this.refresh();
    this.scheduleQuote(0);
    if (this.mode === "form") this.modal.focus();
    else this.canvas.focus({ preventScroll: true });
  }

  buildShell() {
    this.status = h("p", { class: "luneo-status", role: "status", "aria-live": "polite" }, t("loading"));
    this.closeButton = h("button", { type: "button", class: "luneo-icon luneo-close", "aria-label": t("close"), onclick: () => this.askToClose() }, "×");
    this.titleEl = h("h2", { id: "luneo-title", class: "luneo-title" }, t("title", { product: "" }).trim());
    this.body = h("div", { class: "luneo-body" });
    this.footer = h("div", { class: "luneo-footer" }, this.status);
    this.modal = h(
      "div",
      { class: "luneo-modal", role: "dialog", "aria-modal": "true", "aria-labelledby": "luneo-title", "aria-busy": "true", tabindex: "-1" },
      h("div", { class: "luneo-header" }, this.titleEl, this.closeButton),
      this.body,
      this.footer,
    );
    this.backdrop = h("div", { class: "luneo-backdrop", "data-luneo-editor": "" }, this.modal);
    this.onKey = (e) => this.keydown(e);
    document.addEventListener("keydown", this.onKey, true);
    this.backdrop.addEventListener("mousedown", (e) => e.target === this.backdrop && this.askToClose());
    const colors = this.config.colors || {};
    if (colors.accent) this.backdrop.style.setProperty("--luneo-accent", colors.accent);
    if (colors.button) this.backdrop.style.setProperty("--luneo-button", colors.button);
    if (colors.buttonText) this.backdrop.style.setProperty("--luneo-button-text", colors.buttonText);
    this.previousOverflow = document.documentElement.style.overflow;
    document.documentElement.style.overflow = "hidden";
    // The page behind is out of reach for keyboards and screen readers while the dialog is open.
    this.hidden = [...document.body.children].filter((el) => !el.inert && el.getAttribute("aria-hidden") !== "true");
    for (const el of this.hidden) {
      el.inert = true;
      el.setAttribute("aria-hidden", "true");
    }
    document.body.appendChild(this.backdrop);
    this.modal.focus();
    this.root.dispatchEvent(new CustomEvent("luneo:open", { bubbles: true }));
  }

  close() {
    if (this.doc && this.history) this.saveDraft();
    document.removeEventListener("keydown", this.onKey, true);
    if (this.phone) this.phone.removeEventListener("change", this.onPhone);
    if (this.stage) this.stage.destroy();
    if (this.tryOn) this.tryOn.close(); // the camera goes off with the editor
    clearInterval(this.pollTimer);
    if (this.tracker) this.tracker.close();
    this.backdrop.remove();
    for (const el of this.hidden) {
      el.inert = false;
      el.removeAttribute("aria-hidden");
    }
    document.documentElement.style.overflow = this.previousOverflow || "";
    active = null;
    this.root.dispatchEvent(new CustomEvent("luneo:close", { bubbles: true }));
    if (this.opener) this.opener.focus();
  }

  // The shopper closes the editor: with changes not yet in the cart, ask first (they stay in
  // this browser's draft either way).
  askToClose() {
    if (!this.unsaved()) return this.close();
    if (this.confirmBox) return this.confirmBox.querySelector("[data-luneo-keep]").focus();
    const keep = h("button", { type: "button", class: "luneo-primary", "data-luneo-keep": "", onclick: () => this.keepEditing() }, t("keep_editing"));
    const leave = h("button", { type: "button", class: "luneo-secondary", "data-luneo-leave": "", onclick: () => this.close() }, t("close_anyway"));
    this.confirmBox = h(
      "div",
      { class: "luneo-confirm", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "luneo-confirm-title", "aria-describedby": "luneo-confirm-text" },
      h("p", { id: "luneo-confirm-title", class: "luneo-confirm-title" }, t("close_title")),
      h("p", { id: "luneo-confirm-text" }, t("close_text")),
      h("div", { class: "luneo-actions" }, keep, leave),
    );
    this.modal.append(this.confirmBox);
    keep.focus();
  }

  keepEditing() {
    if (this.confirmBox) this.confirmBox.remove();
    this.confirmBox = null;
    this.closeButton.focus();
  }

  // Edits since the editor opened (or since the design went into the cart).
  unsaved() {
    return !!(this.history && this.history.mark !== this.savedMark);
  }

  placePreview() {
    const pip = this.phone.matches;
    this.previewBox.classList.toggle("luneo-pip", pip);
    if (pip && this.previewBox.parentNode !== this.toolbar) this.toolbar.append(this.previewBox);
    if (!pip && this.previewBox.parentNode !== this.side) this.side.append(this.previewBox);
    if (!pip) this.togglePip(false);
  }

  togglePip(open) {
    const on = open === undefined ? this.pipToggle.getAttribute("aria-expanded") !== "true" : open;
    this.pipToggle.setAttribute("aria-expanded", String(on));
    this.pipToggle.setAttribute("aria-label", t(on ? "preview_shrink" : "preview_enlarge"));
    this.pipToggle.title = t(on ? "preview_shrink" : "preview_enlarge");
    this.previewBox.classList.toggle("luneo-pip-open", on);
  }

  // A message that only says what just happened ("Photo added."): it goes when the shopper
  // moves on (another tool, area or layer, the next edit). Problems stay until they are fixed.
  tell(message) {
    this.status.textContent = message;
    this.passing = message;
  }

  movedOn() {
    if (this.passing && this.status.textContent === this.passing) this.status.textContent = "";
    this.passing = null;
  }

  keydown(e) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      if (this.confirmBox) this.keepEditing();
      else this.askToClose();
      return;
    }
    trapFocus(this.confirmBox || this.modal, e);
    const mod = e.ctrlKey || e.metaKey;
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
    if (mod && !typing && e.key.toLowerCase() === "z") {
      e.preventDefault();
      if (e.shiftKey) this.history.redo();
      else this.history.undo();
    } else if (mod && !typing && e.key.toLowerCase() === "y") {
      e.preventDefault();
      this.history.redo();
    }
  }

  // ---------------------------------------------------------------- layout
  buildWorkspace() {
    const tpl = this.template;
    this.titleEl.textContent = titleFor((tpl.product && tpl.product.title) || "");
    const areaTabs = tpl.print_areas.map((area) =>
      h("button", { type: "button", role: "tab", class: "luneo-tab", "data-area": area.key, onclick: () => this.showArea(area.key), onkeydown: (e) => this.tabKeys(e) }, area.name || area.key),
    );
    this.areaTabs = h("div", { class: "luneo-areas", role: "tablist", "aria-label": t("areas"), hidden: areaTabs.length < 2 }, areaTabs);
    this.canvas = h("canvas", { class: "luneo-canvas", tabindex: "0", role: "application", "aria-describedby": "luneo-help" });
    this.undoButton = h("button", { type: "button", class: "luneo-icon", "aria-label": t("undo"), title: t("undo"), onclick: () => this.history.undo() }, "↶");
    this.redoButton = h("button", { type: "button", class: "luneo-icon", "aria-label": t("redo"), title: t("redo"), onclick: () => this.history.redo() }, "↷");
    this.deleteButton = h("button", { type: "button", class: "luneo-icon", "aria-label": t("delete"), title: t("delete"), onclick: () => this.removeSelected() }, icon("trash"));
    this.live = h("p", { class: "luneo-sr", "aria-live": "polite" });
    const workspace = h(
      "section",
      { class: "luneo-workspace" },
      this.areaTabs,
      (this.toolbar = h("div", { class: "luneo-toolbar" }, this.undoButton, this.redoButton, this.deleteButton)),
      h("div", { class: "luneo-stage" }, this.canvas),
      h("p", { id: "luneo-help", class: "luneo-help" }, t("help")),
      this.live,
    );
    this.panels = {
      text: textPanel(this),
      photo: photoPanel(this),
      clipart: clipartPanel(this),
      ai: aiPanel(this),
      layers: layersPanel(this),
    };
    const tools = Object.entries(this.panels).filter(([, panel]) => panel);
    this.form = this.hasForm ? formPanel(this) : null;
    if (this.form) this.form.el.id = "luneo-panel-form";
    this.toolTabs = tools.map(([key]) =>
      h("button", { type: "button", role: "tab", id: "luneo-tool-" + key, class: "luneo-tab", "aria-controls": "luneo-panel-" + key, "data-tool": key, onclick: () => this.showTool(key), onkeydown: (e) => this.tabKeys(e) }, t("tool_" + key)),
    );
    for (const [key, panel] of tools) {
      panel.el.id = "luneo-panel-" + key;
      panel.el.setAttribute("role", "tabpanel");
      panel.el.setAttribute("aria-labelledby", "luneo-tool-" + key);
    }
    this.previewCanvas = h("canvas", { class: "luneo-mockup", role: "img", "aria-label": t("preview_alt"), "data-revision": "0" });
    this.serverPreview = h("img", { class: "luneo-server-preview", alt: t("preview_server"), hidden: true });
    this.viewerBox = h("div", { class: "luneo-viewer", hidden: true });
    const previewTabs = [h("button", { type: "button", class: "luneo-chip", "aria-pressed": "true", onclick: (e) => this.show2d(e.target) }, t("preview_2d"))];
    if (tpl.model_url && this.config.viewerUrl) previewTabs.push(h("button", { type: "button", class: "luneo-chip", "aria-pressed": "false", "data-3d": "", onclick: (e) => this.show3d(e.target) }, t("preview_3d")));
    if (tpl.try_on && tpl.try_on_script) previewTabs.push(h("button", { type: "button", class: "luneo-chip", "aria-pressed": "false", "data-tryon-open": "", onclick: (e) => this.showTryOn(e.target) }, t("tryon_open")));
    this.previewTabs = previewTabs;
    this.pipToggle = h("button", { type: "button", class: "luneo-icon luneo-pip-toggle", "aria-expanded": "false", "aria-label": t("preview_enlarge"), title: t("preview_enlarge"), onclick: () => this.togglePip() }, icon("expand"));
    // The area's pictures (its mockup, the back, a side…): one chip each, when it has several.
    this.viewChips = h("div", { class: "luneo-chips luneo-views", role: "group", "aria-label": t("preview_views"), hidden: true });
    this.viewOf = {};
    this.previewBox = h("section", { class: "luneo-preview", "aria-label": t("preview") },
      h("div", { class: "luneo-chips" }, h("span", {}, t("preview")), previewTabs), this.viewChips, this.pipToggle, this.previewCanvas, this.viewerBox, this.serverPreview);
    this.modeTabs = this.bothModes
      ? ["form", "canvas"].map((m) => h("button", { type: "button", role: "tab", class: "luneo-tab", "data-mode": m, "aria-controls": m === "form" ? "luneo-panel-form" : "luneo-canvas-tools", onclick: () => this.showMode(m), onkeydown: (e) => this.tabKeys(e) }, t("mode_" + m)))
      : [];
    this.canvasTools = h("div", { id: "luneo-canvas-tools" },
      h("div", { class: "luneo-tools", role: "tablist", "aria-label": t("tools") }, this.toolTabs),
      tools.map(([, panel]) => panel.el));
    const side = h(
      "aside",
      { class: "luneo-side" },
      this.modeTabs.length ? h("div", { class: "luneo-modes", role: "tablist", "aria-label": t("modes") }, this.modeTabs) : null,
      this.form ? this.form.el : null,
      this.canvasTools,
      this.previewBox,
    );
    this.body.append(workspace, side);
    this.workspace = workspace;
    this.side = side;
    // On a phone the preview rides at the end of the sticky toolbar, in sight while the tools
    // below scroll, covering neither the design nor a tool (tap to enlarge it over the canvas);
    // on wider screens it sits under the tools.
    this.phone = window.matchMedia("(max-width: 760px)");
    this.onPhone = () => this.placePreview();
    this.phone.addEventListener("change", this.onPhone);
    this.placePreview();
    this.cartButton = h("button", { type: "button", class: "luneo-primary", "data-luneo-add": "", onclick: () => this.addToCart() }, t("add_to_cart"));
    this.priceLines = h("ul", { class: "luneo-price-lines" });
    this.priceTotal = h("p", { class: "luneo-price-total", "data-luneo-total": "" });
    this.priceEl = h("div", { class: "luneo-price", "data-luneo-price": "", role: "status", "aria-live": "polite", hidden: true }, this.priceTotal, this.priceLines);
    this.footer.prepend(this.priceEl);
    this.retryButton = h("button", { type: "button", class: "luneo-secondary", hidden: true, "data-luneo-retry": "", onclick: () => this.addToCart(true) }, t("retry"));
    this.footer.append(h("div", { class: "luneo-actions" }, this.retryButton, this.cartButton));
    // Plans without "remove branding" credit Luneo, quietly, under the actions.
    if (!tpl.features || tpl.features.branding !== false) this.footer.append(h("p", { class: "luneo-branding", "data-luneo-branding": "" }, t("branding")));
    this.status.textContent = this.restoredMessage || "";
    if (this.pendingRetry) this.retryButton.hidden = false;
    this.stage = new Stage(this, this.canvas);
    this.mockups = new Map();
    this.showArea(this.areaKey);
    this.showTool("text");
    this.showMode(this.mode);
    if (this.restoredMessage) this.tell(this.restoredMessage);
  }

  // Form (the merchant's fields) or the free canvas; both edit the same document.
  showMode(mode) {
    this.mode = mode;
    for (const tab of this.modeTabs) {
      const on = tab.dataset.mode === mode;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    if (this.form) this.form.el.hidden = mode !== "form";
    this.canvasTools.hidden = mode === "form";
    this.deleteButton.hidden = mode === "form";
    this.modal.classList.toggle("luneo-form-mode", mode === "form");
    if (mode !== "form") this.showTool(this.tool || "text");
    this.refresh();
  }

  tabKeys(e) {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const tabs = [...e.target.parentElement.querySelectorAll('[role="tab"]')];
    const next = tabs[(tabs.indexOf(e.target) + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  }

  showArea(key) {
    this.movedOn();
    this.areaKey = key;
    this.selectedId = null;
    for (const tab of this.areaTabs.children) {
      const on = tab.dataset.area === key;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    this.canvas.setAttribute("aria-label", t("canvas_label", { area: this.area().name || key }));
    this.showViews();
    this.stage.resize();
    this.refresh();
  }

  showViews() {
    const views = areaViews(this.area());
    this.viewChips.replaceChildren(
      ...views.map((view, index) =>
        h("button", { type: "button", class: "luneo-chip", "data-view": String(index), "aria-pressed": String(index === (this.viewOf[this.areaKey] || 0)), onclick: () => this.showView(index) }, view.name),
      ),
    );
    this.viewChips.hidden = views.length < 2;
  }

  showView(index) {
    this.viewOf[this.areaKey] = index;
    for (const chip of this.viewChips.children) chip.setAttribute("aria-pressed", String(chip.dataset.view === String(index)));
    this.show2d(this.previewTabs[0]);
    this.schedulePreview();
  }

  showTool(key) {
    if (key !== this.tool) this.movedOn();
    for (const tab of this.toolTabs) {
      const on = tab.dataset.tool === key;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    for (const [name, panel] of Object.entries(this.panels)) if (panel) panel.el.hidden = name !== key;
    this.tool = key;
    this.refreshPanels();
  }

  // ---------------------------------------------------------------- state
  area() {
    return this.template.print_areas.find((a) => a.key === this.areaKey);
  }

  layers() {
    return this.doc.areas[this.areaKey].layers;
  }

  selected() {
    const layer = this.layers().find((l) => l.id === this.selectedId);
    return layer && !this.isFixed(layer) ? layer : null;
  }

  // A field's layer stays where the template put it unless the field is movable (in "both" mode).
  isFixed(layer) {
    if (!layer.field) return false;
    const field = (this.template.fields || []).find((f) => f.id === layer.field);
    return !(field && field.movable && this.mode === "canvas");
  }

  select(id) {
    if (id !== this.selectedId) {
      this.movedOn();
      this.croppingId = null;
    }
    this.selectedId = id;
    const layer = this.selected();
    if (layer && layer.type === "text" && this.tool !== "text" && this.tool !== "layers") this.showTool("text");
    else if (layer && layer.type !== "text" && this.tool !== "layers") this.showTool(layer.type === "image" ? "photo" : "clipart");
    this.refresh();
  }

  addLayer(layer) {
    const max = this.template.max_layers || 20;
    if (this.layers().length >= max) {
      this.status.textContent = t("too_many_layers", { n: max });
      return null;
    }
    layer.id = newId(layer.type);
    const layers = this.layers();
    layers.splice(insertIndex(layers, layer), 0, layer); // a picture lands under the texts
    this.selectedId = layer.id;
    this.history.commit();
    return layer;
  }

  removeLayer(id) {
    this.selectedId = id;
    this.removeSelected();
  }

  // Drag in the layers list: the layer goes to `index` of the area's layers (0: the bottom).
  moveLayerTo(id, index) {
    const layers = this.layers();
    const i = layers.findIndex((l) => l.id === id);
    const j = Math.max(0, Math.min(layers.length - 1, index));
    if (i < 0 || i === j) return;
    layers.splice(j, 0, ...layers.splice(i, 1));
    this.history.commit();
  }

  // Hide (kept, never drawn or printed) or lock (not moved on the canvas) a layer, or undo that.
  toggleLayer(id, flag) {
    const layer = this.layers().find((l) => l.id === id);
    if (!layer) return;
    if (layer[flag]) delete layer[flag];
    else layer[flag] = true;
    this.history.commit();
  }

  // Crop the selected picture with handles on the canvas (stage.js, crop.js), or stop.
  cropOnCanvas(on) {
    const layer = this.selected();
    this.croppingId = on && layer ? layer.id : null;
    if (on) this.canvas.focus({ preventScroll: true });
    this.refresh();
  }

  removeSelected() {
    const layers = this.layers();
    const i = layers.findIndex((l) => l.id === this.selectedId);
    if (i < 0) return;
    layers.splice(i, 1);
    this.selectedId = null;
    this.history.commit();
  }

  moveLayer(id, delta) {
    const layers = this.layers();
    const i = layers.findIndex((l) => l.id === id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= layers.length) return;
    [layers[i], layers[j]] = [layers[j], layers[i]];
    this.history.commit();
  }

  // A live change (a gesture frame, a slider): redraw now, record it in history on commit().
  changed() {
    this.revision++;
    this.tracker.first("design_started");
    if (!this.stage) return;
    this.stage.request();
    this.schedulePreview();
  }

  commit() {
    this.history.commit();
  }

  afterHistory(restored) {
    if (!restored) this.tracker.first("design_started");
    this.movedOn();
    if (restored && !this.selected()) this.selectedId = null;
    this.revision++;
    if (this.hasForm) this.materializeFields();
    if (restored && this.hasForm) this.followOptionVariant();
    this.saveDraft();
    this.refresh();
    this.scheduleQuote();
  }

  refresh() {
    if (!this.stage) return;
    this.stage.request();
    this.undoButton.disabled = !this.history.past.length;
    this.redoButton.disabled = !this.history.future.length;
    this.deleteButton.disabled = !this.selected();
    this.refreshPanels();
    this.schedulePreview();
  }

  refreshPanels() {
    const panel = this.panels && this.panels[this.tool];
    if (panel && panel.update) panel.update();
    if (this.form && this.mode === "form") this.form.update();
  }

  // ---------------------------------------------------------------- form mode
  // The field layers made again from the values, as the server will (fields.js).
  materializeFields() {
    // Styles picked before the field had a layer (nothing typed yet) wait on a stub layer.
    for (const [id, style] of Object.entries(this.styles || {})) {
      const field = (this.template.fields || []).find((f) => f.id === id);
      const area = field && this.doc.areas[field.area];
      if (!area) continue;
      const layer = area.layers.find((l) => l.field === id);
      if (layer) Object.assign(layer, style);
      else area.layers.push({ type: "text", field: id, text: "", ...style });
    }
    const next = materialize(this.template, this.doc, { measure: measureLine });
    this.doc.areas = next.areas;
    for (const area of Object.values(this.doc.areas)) for (const layer of area.layers) if (layer.field && this.styles) delete this.styles[layer.field];
    for (const area of Object.values(this.doc.areas))
      for (const layer of area.layers) {
        if (!layer.field) continue;
        layer.id = "field-" + layer.field; // the stage selects layers by id
        for (const ref of [layer.type === "clipart" && layer.src, layer.clip && layer.clip.mask]) {
          const url = ref && !this.images.has(ref) && clipartUrl(this.template, ref);
          if (url) this.image(ref, url);
        }
      }
  }

  // A field's value changed (typing: commit false; a pick or the end of a gesture: true).
  setField(id, value, commit) {
    if (value === null || value === undefined) delete this.doc.fields[id];
    else this.doc.fields[id] = value;
    const field = (this.template.fields || []).find((f) => f.id === id);
    if (field && field.area && field.area !== this.areaKey && this.doc.areas[field.area]) this.showArea(field.area);
    this.materializeFields();
    if (this.problems[id]) this.recheck();
    if (commit) this.history.commit();
    else {
      this.changed();
      if (this.form) this.form.update(id); // typing: only this field's controls (its counter)
      this.saveDraftSoon();
    }
    this.scheduleQuote();
  }

  // The shopper's own font or colour for a text field (from its allowed lists): kept on the
  // field's layer, where materialize (and the server) read it.
  fieldStyle(field) {
    const held = (this.styles || {})[field.id] || {};
    for (const area of Object.values(this.doc.areas))
      for (const layer of area.layers) if (layer.field === field.id) return { font: layer.font, color: layer.color, ...held };
    return held;
  }

  setFieldStyle(field, changes, commit) {
    this.styles = this.styles || {};
    this.styles[field.id] = { ...(this.styles[field.id] || {}), ...changes };
    this.materializeFields();
    if (commit) this.history.commit();
    this.refresh();
    this.scheduleQuote();
  }

  pickOption(field, value) {
    this.setField(field.id, value, true);
    const option = (field.options || []).find((o) => o.value === value);
    if (option && option.variant_id) this.selectVariant(option.variant_id);
  }

  // A choice whose options select variants starts on the variant the page shows (the theme's
  // picker), unless the shopper's draft already chose one.
  adoptPageVariant() {
    const current = String(this.config.variantId || "");
    for (const field of this.template.fields || []) {
      if (field.kind !== "choice" || this.doc.fields[field.id] !== undefined) continue;
      const option = (field.options || []).find((o) => o.variant_id && this.externalVariant(o.variant_id) === current);
      if (option) this.doc.fields[field.id] = option.value;
    }
  }

  // The variant the options name (the last visible one wins, a default too: as the server's
  // selected_variant), selected on the page: on opening, after an undo, before the cart call.
  followOptionVariant() {
    let chosen = null;
    for (const s of fieldStates(this.template, this.doc.fields)) if (s.visible && s.option && s.option.variant_id) chosen = s.option.variant_id;
    if (chosen) this.selectVariant(chosen);
  }

  // The platform's id of one of the product's variants (by Luneo's id), "" when unknown.
  externalVariant(localId) {
    const variant = (this.template.variants || []).find((v) => v.id === localId);
    return String((variant && variant.external_id) || "").replace(/^gid:\/\/shopify\/ProductVariant\//, "");
  }

  // The product page's own variant picker follows the option (the cart gets that variant).
  selectVariant(localId) {
    const external = this.externalVariant(localId);
    if (!external) return;
    this.config.variantId = /^\d+$/.test(external) ? Number(external) : external;
    const variant = (this.template.variants || []).find((v) => v.id === localId);
    selectPageVariant(this.config, variant, external);
  }

  // For the typing budget (bench/widget.py): when the last keystroke arrived.
  markInput() {
    if (window.performance && performance.mark) performance.mark("luneo:input");
  }

  saveDraftSoon() {
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => this.saveDraft(), 300);
  }

  // Problems shown next to fields: {fieldId: message}; live-cleared once fixed.
  showProblems(byField) {
    this.problems = byField;
    if (this.form) this.form.showProblems(byField);
  }

  recheck() {
    const still = {};
    const local = {};
    for (const p of localProblems(this.template, this.doc.fields)) local[p.field] = this.problemText(p);
    for (const id of Object.keys(this.problems)) if (local[id]) still[id] = local[id];
    this.showProblems(still);
  }

  problemText(p) {
    if (p.code === "required") return t("field_required");
    if (p.code === "too_long") return t("field_too_long", { n: p.n });
    if (p.code === "script") return t("script_" + p.key, { name: p.name });
    return p.message || t("err_generic");
  }

  // The field a server problem or preflight finding is about: "fields.<id>", or its layer's field.
  problemField(p) {
    const m = /^fields\.([a-z0-9][a-z0-9_-]*)/.exec(String(p.path || ""));
    if (m) return m[1];
    if (p.area && p.layer !== null && p.layer !== undefined) {
      const layer = ((this.doc.areas[p.area] || { layers: [] }).layers || [])[p.layer];
      return layer && layer.field ? layer.field : null;
    }
    return null;
  }

  // Show what must be fixed next to its field, the rest in the status; focus the first field.
  blockWith(problems) {
    const byField = {};
    const other = [];
    for (const p of problems) {
      const id = this.problemField(p);
      if (id && this.form && !byField[id]) byField[id] = p.message;
      else if (!id) other.push(p.message || p.path);
    }
    this.showProblems(byField);
    const first = (this.template.fields || []).find((f) => byField[f.id]);
    if (first) {
      if (this.mode !== "form") this.showMode("form");
      this.form.focusField(first.id);
    }
    this.status.textContent = other.length ? t("invalid_design", { details: other.join("; ") }) : t("fix_fields");
  }

  // ---------------------------------------------------------------- the price
  money(amount) {
    const currency = (this.price && this.price.currency) || this.template.currency || "USD";
    const locale = String(this.config.locale || document.documentElement.lang || "en").replace("_", "-");
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency }).format(Number(amount));
    } catch (err) {
      return new Intl.NumberFormat("en", { style: "currency", currency }).format(Number(amount));
    }
  }

  scheduleQuote(delay) {
    if (!this.quotes) return;
    clearTimeout(this.quoteTimer);
    this.quoteTimer = setTimeout(() => this.quote(), delay === undefined ? 400 : delay);
  }

  async quote() {
    const asked = ++this.quoteSeq;
    const body = { template_id: this.template.id, document: this.currentDocument() };
    let answer;
    try {
      answer = await this.api.quote(body);
    } catch (err) {
      return; // the price shows again with the next change; saving still checks everything
    }
    if (asked !== this.quoteSeq || !this.stage) return;
    this.showPrice(answer.price);
    // Problems the server sees while typing: only those already shown are reworded (no nagging
    // before the shopper asks for the cart); fixing a field clears its problem (recheck).
    const byField = { ...this.problems };
    let changed = false;
    for (const p of answer.problems || []) {
      const id = this.problemField(p);
      if (id && this.problems[id] && byField[id] !== p.message) {
        byField[id] = p.message;
        changed = true;
      }
    }
    if (changed) this.showProblems(byField);
  }

  showPrice(price) {
    this.price = price || null;
    const total = price ? Number(price.total) : 0;
    this.priceEl.hidden = !(total > 0);
    this.priceLines.replaceChildren(
      ...((price && price.lines) || []).filter((l) => Number(l.amount)).map((l) => h("li", { "data-kind": l.kind }, h("span", {}, l.label), h("span", {}, "+" + this.money(l.amount)))),
    );
    this.priceTotal.textContent = total > 0 ? t("surcharge_total", { price: this.money(total) }) : "";
    this.cartButton.textContent = total > 0 ? t("add_to_cart_with", { price: this.money(total) }) : t("add_to_cart");
  }

  announcePosition(layer) {
    const name = layer.type === "text" ? layer.text.slice(0, 30) : t("layer_" + layer.type, { name: layer.name || "" });
    this.live.textContent = t("moved", { name, x: Math.round(layer.x_mm), y: Math.round(layer.y_mm), deg: Math.round(layer.rotation_deg || 0) });
  }

  // ---------------------------------------------------------------- fonts and pictures
  loadFonts() {
    const files = this.template.font_files || {};
    // The canvas's fonts and those the text fields draw with (font_files links both).
    const entries = [...(this.template.fonts || [])];
    const named = new Set(entries.map((e) => (typeof e === "string" ? e : e.family || e.name)));
    for (const field of this.hasForm ? this.template.fields : [])
      for (const family of [field.font, ...(field.fonts || [])]) if (family && !named.has(family)) named.add(family) && entries.push(family);
    for (const entry of entries) {
      const family = typeof entry === "string" ? entry : entry.family || entry.name;
      const url = (typeof entry === "object" && entry.url) || files[family];
      if (!url || !window.FontFace) continue;
      const face = new FontFace(family, "url(" + JSON.stringify(url) + ")");
      face.load().then((loaded) => {
        document.fonts.add(loaded);
        forgetMeasures();
        if (this.hasForm) this.materializeFields(); // auto-fit measured with the real font now
        this.changed();
      }, () => {});
    }
  }

  fontNames() {
    return (this.template.fonts || []).map((f) => (typeof f === "string" ? f : f.family || f.name));
  }

  // Every picture the canvases draw is requested with CORS: Luneo's files live on another origin
  // than the store's page, and one drawn without it would taint the canvases (no preview, no
  // 3D texture). Blob URLs of the shopper's own photos are same-origin, where CORS changes nothing.
  image(src, url) {
    const known = this.images.get(src);
    // A picture whose link failed (a draft's signed link expires) loads again from a new link:
    // a cached AI image is answered with its old src and a fresh link (issue #19).
    const broken = known && url && known.src !== url && known.complete && !known.naturalWidth;
    if (!known || broken) {
      const img = new Image();
      img.crossOrigin = "anonymous";
      img.onload = () => this.changed();
      img.src = url;
      this.images.set(src, img);
      if (broken) this.urls[src] = url;
    }
    this.urls[src] = this.urls[src] || url;
    return this.images.get(src);
  }

  // ---------------------------------------------------------------- adding things
  addText() {
    const area = this.area();
    const fonts = this.fontNames();
    const colors = this.template.colors || [];
    const size = Math.max(4, Math.min(area.height_mm / 6, area.width_mm / 8));
    const layer = this.addLayer({
      type: "text",
      text: t("default_text"),
      font: fonts[0] || "Inter",
      size_mm: size,
      color: colors[0] || "#111827",
      align: "center",
      x_mm: area.width_mm / 2,
      y_mm: Math.max(area.safe_margin_mm || 0, area.height_mm / 2 - size * 0.6),
      rotation_deg: 0,
    });
    return layer;
  }

  async uploadPhoto(file) {
    const area = this.area();
    this.status.textContent = t("uploading");
    try {
      const prepared = await prepare(file, area);
      const result = await this.api.upload(prepared.blob, prepared.filename);
      const local = URL.createObjectURL(prepared.blob);
      this.image(result.src, local);
      this.urls[result.src] = result.url;
      this.imageInfo[result.src] = { width_px: result.width_px, height_px: result.height_px };
      const box = fitBox(area, result.width_px / result.height_px, 0.8);
      const layer = this.addLayer({ type: "image", src: result.src, name: (file.name || "").slice(0, 200), ...box, rotation_deg: 0 });
      if (layer) this.tell(t("uploaded"));
      return layer;
    } catch (err) {
      this.status.textContent = err instanceof ApiError ? err.message : t("err_generic");
      return null;
    }
  }

  // A frame's photo: prepared and uploaded like any photo; the form puts it in the frame.
  async uploadFieldPhoto(field, file) {
    const area = this.template.print_areas.find((a) => a.key === field.area) || this.area();
    this.status.textContent = t("uploading");
    try {
      const prepared = await prepare(file, area);
      const result = await this.api.upload(prepared.blob, prepared.filename);
      this.image(result.src, URL.createObjectURL(prepared.blob));
      this.urls[result.src] = result.url;
      this.imageInfo[result.src] = { width_px: result.width_px, height_px: result.height_px };
      this.tell(t("uploaded"));
      return result;
    } catch (err) {
      this.status.textContent = err instanceof ApiError ? err.message : t("err_generic");
      return null;
    }
  }

  addClipart(item) {
    this.image(item.src, item.url);
    const box = fitBox(this.area(), 1, 0.4);
    return this.addLayer({ type: "clipart", src: item.src, name: item.label || item.name, ...box, rotation_deg: 0 });
  }

  dpiOf(layer) {
    return effectiveDpi(layer, this.imageInfo[layer.src]);
  }

  // The variants of a prompt (``fresh``: new ones, not the cache's), polled together until each
  // is finished; `report` sees every poll. Resolves with the variants that have an image.
  async generate(prompt, style, fresh, report) {
    const body = { template_id: this.template.id, area: this.areaKey, prompt };
    if (style) body.style = style;
    if (fresh) body.fresh = true;
    const started = await this.api.startGeneration(body);
    let variants = started.variants || [started];
    const finished = () => variants.every((v) => ["succeeded", "failed", "refused"].includes(v.status));
    report(variants);
    for (let i = 0; i < 240 && !finished(); i++) {
      await sleep(i < 5 ? 800 : 1500);
      variants = started.variants_url ? (await this.api.variants(started.variants_url)).variants : [await this.api.generation(started.id)];
      report(variants);
    }
    const ready = variants.filter((v) => v.status === "succeeded" && v.image);
    if (!ready.length) throw new ApiError(422, variants[0].status, variants[0].message || t("ai_failed"));
    for (const v of ready) {
      this.image(v.image.src, v.image.url);
      this.imageInfo[v.image.src] = { width_px: v.image.width_px, height_px: v.image.height_px };
    }
    return ready;
  }

  // The variant the shopper chose, placed under the texts like any picture.
  addAiImage(img, prompt) {
    this.image(img.src, img.url);
    this.imageInfo[img.src] = { width_px: img.width_px, height_px: img.height_px };
    const box = fitBox(this.area(), img.width_px / img.height_px, 0.8);
    return this.addLayer({ type: "image", src: img.src, name: prompt.slice(0, 200), ...box, rotation_deg: 0 });
  }

  // ---------------------------------------------------------------- previews
  schedulePreview() {
    if (this.previewQueued) return;
    this.previewQueued = true;
    requestAnimationFrame(() => {
      this.previewQueued = false;
      const area = this.area();
      const views = areaViews(area);
      const view = views[this.viewOf[area.key] || 0] || views[0];
      let mockup = view.mockup_url && this.mockups.get(view.mockup_url);
      if (!mockup && view.mockup_url) {
        mockup = new Image();
        mockup.crossOrigin = "anonymous";
        mockup.onload = () => this.schedulePreview();
        mockup.src = view.mockup_url;
        this.mockups.set(view.mockup_url, mockup);
      }
      drawMockup(this.previewCanvas, area, this.layers(), this.images, mockup, view.mockup_placement || {});
      this.previewCanvas.dataset.view = String(views.indexOf(view));
      this.previewCanvas.dataset.revision = String(Number(this.previewCanvas.dataset.revision) + 1);
      if (window.performance && performance.mark) performance.mark("luneo:preview");
      if (this.viewer && !this.viewerBox.hidden) this.retexture();
      if (this.tryOn) this.tryOn.refresh();
    });
  }

  // "Try it on": the design over the shopper's face or hand (luneo-tryon.js, loaded now).
  async showTryOn(button) {
    if (this.tryOn) return;
    button.setAttribute("aria-pressed", "true");
    let tryOn;
    try {
      tryOn = await loadTryOn(this.template.try_on_script);
    } catch (err) {
      button.setAttribute("aria-pressed", "false");
      this.status.textContent = t("tryon_failed");
      return;
    }
    this.tryOn = tryOn.open({
      host: this.previewBox,
      settings: this.template.try_on,
      modelsUrl: this.template.try_on_models,
      t,
      overlay: () => {
        // renderArea reuses one canvas: the try-on keeps its own copy of the design.
        const art = renderArea(this.area(), this.layers(), this.images, 4);
        const copy = document.createElement("canvas");
        copy.width = art.width;
        copy.height = art.height;
        const ctx = copy.getContext("2d");
        ctx.drawImage(art, 0, 0);
        if (!this.layers().length) {
          // Nothing designed yet: the area's outline shows where the design will go.
          ctx.setLineDash([24, 16]);
          ctx.lineWidth = 8;
          ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
          ctx.strokeRect(4, 4, copy.width - 8, copy.height - 8);
        }
        return copy;
      },
      onClose: () => {
        this.tryOn = null;
        button.setAttribute("aria-pressed", "false");
      },
    });
  }

  show2d(button) {
    this.previewTabs.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    this.viewerBox.hidden = true;
    this.previewCanvas.hidden = false;
  }

  async show3d(button) {
    this.previewTabs.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    this.previewCanvas.hidden = true;
    this.viewerBox.hidden = false;
    try {
      await loadViewer(this.config.viewerUrl);
      if (!this.viewer) {
        this.viewer = document.createElement("model-viewer");
        this.viewer.setAttribute("src", this.template.model_url);
        this.viewer.setAttribute("alt", t("preview_alt"));
        this.viewer.setAttribute("camera-controls", "");
        // Open facing the print (a mug's wrap is opposite its handle), as the print file shows it.
        if (this.template.model_view) this.viewer.setAttribute("camera-orbit", this.template.model_view.orbit);
        this.viewer.setAttribute("touch-action", "pan-y");
        this.viewer.setAttribute("shadow-intensity", "0.6");
        this.viewer.addEventListener("load", () => this.retexture());
        this.viewerBox.append(this.viewer);
      }
    } catch (err) {
      this.viewerBox.textContent = t("viewer_failed");
    }
  }

  retexture() {
    clearTimeout(this.textureTimer);
    this.textureTimer = setTimeout(() => textureModel(this.viewer, this.template, this.doc, this.images).catch(() => {}), 250);
  }

  // ---------------------------------------------------------------- drafts and the cart
  saveDraft() {
    writeDraft(this.config, {
      template_id: this.template.id,
      document: this.currentDocument(),
      design_id: this.designId,
      edit_token: this.editToken,
      pending_cart: !!this.pendingRetry,
      info: this.imageInfo,
    });
  }

  restoreDraft() {
    const draft = readDraft(this.config);
    if (!draft || draft.template_id !== this.template.id || !draft.document) return this.startFrom(this.config.startDesign);
    this.adoptDocument(draft.document);
    Object.assign(this.imageInfo, draft.info || {});
    this.designId = draft.design_id || null;
    this.editToken = draft.edit_token || null;
    this.pendingRetry = !!draft.pending_cart;
    if (Object.values(this.doc.areas).some((a) => a.layers.length) || Object.keys(this.doc.fields).length) this.restoredMessage = t("draft_restored");
  }

  // A page that opens a design already made (the order design page: a copy of the ordered
  // design's document) starts from it; saving makes a new design, the given one never changes.
  startFrom(start) {
    if (!start || start.template_id !== this.template.id || !start.document) return;
    this.adoptDocument(start.document);
  }

  adoptDocument(document) {
    for (const [key, area] of Object.entries(document.areas || {})) if (this.doc.areas[key]) this.doc.areas[key] = area;
    if (document.fields && typeof document.fields === "object") this.doc.fields = { ...document.fields };
    const urls = (document.meta && document.meta.urls) || {};
    for (const area of Object.values(this.doc.areas))
      for (const layer of area.layers) if (layer.src && urls[layer.src]) this.image(layer.src, urls[layer.src]);
    for (const value of Object.values(this.doc.fields)) if (value && value.src && urls[value.src]) this.image(value.src, urls[value.src]);
  }

  currentDocument() {
    return documentFor(this.doc, this.urls, this.hasForm ? sentValues(this.template, this.doc.fields) : null);
  }

  // Work the cart must wait for (a photo still uploading into its frame).
  track(promise) {
    this.pending = this.pending || new Set();
    this.pending.add(promise);
    promise.finally(() => this.pending.delete(promise));
    return promise;
  }

  async addToCart(isRetry) {
    if (this.busy) return;
    if (this.pending && this.pending.size) {
      this.status.textContent = t("uploading");
      await Promise.allSettled([...this.pending]);
    }
    if (this.hasForm) {
      const local = localProblems(this.template, this.doc.fields);
      if (local.length) {
        this.blockWith(local.map((p) => ({ path: "fields." + p.field, message: this.problemText(p) })));
        return;
      }
      const blurry = this.lowFramePhotos();
      if (blurry.length) {
        this.blockWith(blurry);
        return;
      }
      this.showProblems({});
    }
    if (!Object.values(this.doc.areas).some((a) => a.layers.length)) {
      this.status.textContent = t("empty_design");
      return;
    }
    if (this.refuseText()) return;
    this.busy = true;
    this.cartButton.disabled = this.retryButton.disabled = true;
    try {
      if (!(isRetry && this.designId && this.savedRevision === this.revision)) await this.save();
      const saved = this.saved || {};
      if (saved.ready === false) {
        const errors = (saved.findings || []).filter((f) => f.severity === "error");
        this.blockWith(errors.length ? errors : [{ message: t("err_generic") }]);
        this.saveDraft();
        return;
      }
      this.status.textContent = t("adding");
      if (this.hasForm) this.followOptionVariant();
      const adapter = adapterFor(this.config);
      const result = await adapter({
        designId: this.designId, summary: this.summary, quantity: quantity(this.config), variantId: this.config.variantId, config: this.config,
        properties: saved.properties || null, cartAttributes: saved.cart_attributes || null,
      });
      this.pendingRetry = false;
      this.retryButton.hidden = true;
      clearDraft(this.config);
      this.savedMark = this.history.mark;
      this.status.textContent = t("added");
      this.tracker.addedToCart(this.warningsLeft(saved));
      document.dispatchEvent(new CustomEvent("luneo:added", { detail: { designId: this.designId, summary: this.summary, response: result && result.payload } }));
      if (result && result.redirect) window.location.assign(result.redirect);
    } catch (err) {
      if (err instanceof ApiError) {
        const details = Array.isArray(err.details) ? err.details : [];
        if (this.form && details.some((d) => this.problemField(d))) this.blockWith(details);
        else {
          const text = details.map((d) => d.message || d.path || String(d)).join("; ");
          this.status.textContent = text ? t("invalid_design", { details: text }) : err.message;
        }
        this.saveDraft();
      } else {
        this.pendingRetry = true;
        this.saveDraft();
        this.status.textContent = t("cart_failed", { reason: err.message || t("err_generic") });
        this.retryButton.hidden = false;
        this.retryButton.focus();
      }
    } finally {
      this.busy = false;
      this.cartButton.disabled = this.retryButton.disabled = false;
    }
  }

  // A print warning the shopper was shown (a photo under the product's DPI): counted at add to
  // cart as fixed or ignored (analytics.js). Refusals are not warnings: they stop the cart.
  noteWarning(code) {
    if (this.tracker && this.template.low_dpi_policy !== "refuse") this.tracker.warned(code);
  }

  // The warnings still there when the design goes to the cart: the saved design's findings, and
  // any photo (on the canvas or in a frame) still under the product's DPI.
  warningsLeft(saved) {
    const left = new Set((saved.findings || []).filter((f) => f.severity === "warning").map((f) => f.code));
    const min = this.template.min_image_dpi || 100;
    for (const area of Object.values(this.doc.areas)) {
      for (const layer of area.layers) {
        const value = layer.type === "image" ? this.dpiOf(layer) : null;
        if (value !== null && value < min) left.add("image_dpi_too_low");
      }
    }
    for (const frame of this.form ? this.form.el.querySelectorAll("[data-luneo-frame-dpi]") : []) {
      if (frame.dataset.dpi && frame.classList.contains("luneo-warn")) left.add("image_dpi_too_low");
    }
    return left;
  }

  // A text the print cannot hold (scripts.js) stops the cart here, its layer selected and the
  // reason shown; the server refuses it too (422).
  // Photo fields whose photo is under their minimum DPI when the merchant refuses them, in the
  // words the frame already shows (form.js keeps each frame's DPI in data-dpi).
  lowFramePhotos() {
    if (this.template.low_dpi_policy !== "refuse" || !this.form) return [];
    const found = [];
    for (const field of this.template.fields || []) {
      if (field.kind !== "photo") continue;
      const value = this.doc.fields && this.doc.fields[field.id];
      const shown = this.form.el.querySelector(`[data-luneo-frame-dpi="${CSS.escape(field.id)}"]`);
      if (!value || !value.src || !shown || !shown.dataset.dpi) continue;
      const dpi = Number(shown.dataset.dpi);
      const min = field.min_dpi || this.template.min_image_dpi || 100;
      if (dpi < min) found.push({ path: "fields." + field.id, message: t("frame_dpi_refused", { dpi, min }) });
    }
    return found;
  }

  // A photo under the product's minimum DPI when the merchant refuses them: said here, before
  // the save would answer 422 (photo_resolution_too_low).
  lowPhotoText(layer) {
    if (this.template.low_dpi_policy !== "refuse" || layer.type !== "image" || layer.field) return "";
    const value = this.dpiOf(layer);
    const min = this.template.min_image_dpi || 100;
    return value !== null && value < min ? t("dpi_refused", { dpi: value, min }) : "";
  }

  refuseText() {
    for (const [key, area] of Object.entries(this.doc.areas))
      for (const layer of area.layers) {
        const low = this.lowPhotoText(layer);
        const reason = low || (layer.type === "text" && !layer.field ? textRefusal(layer.text) : "");
        if (!reason) continue;
        if (this.mode !== "canvas" && this.bothModes) this.showMode("canvas");
        if (key !== this.areaKey) this.showArea(key);
        this.select(layer.id);
        this.showTool(low ? (this.panels.photo ? "photo" : this.tool) : "text");
        this.status.textContent = reason;
        return true;
      }
    return false;
  }

  async save() {
    this.status.textContent = t("saving");
    const body = { template_id: this.template.id, document: this.currentDocument() };
    if (this.designId) body.design_id = this.designId;
    if (this.designId && this.editToken) body.edit_token = this.editToken;
    const revision = this.revision;
    this.saveDraft();
    let result;
    try {
      result = await this.api.saveDesign(body);
    } catch (err) {
      // A design this browser may no longer change (signed out, or a draft from before tokens):
      // keep the work as a new design rather than failing.
      if (!(err instanceof ApiError && err.code === "design_not_found" && body.design_id)) throw err;
      delete body.design_id;
      delete body.edit_token;
      result = await this.api.saveDesign(body);
    }
    this.designId = result.design_id;
    this.editToken = result.edit_token || null;
    this.savedRevision = revision;
    this.summary = result.summary || summarize(this.doc, this.template, t);
    this.saved = result;
    if (result.price) this.showPrice(result.price);
    this.saveDraft();
    if (result.preview_url) {
      this.serverPreview.src = result.preview_url;
      this.serverPreview.hidden = false;
    }
    return result;
  }
}

let active = null;

window.LuneoEditor = {
  open(config, root, opener) {
    if (active) return active;
    setLocale(config.locale, config.strings);
    active = new Editor(config, root, opener);
    active.open();
    return active;
  },
};
