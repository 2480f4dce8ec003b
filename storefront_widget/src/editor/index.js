// The shopper's editor: an accessible modal over the product page. Loaded by the loader on the
// first click; exposes window.LuneoEditor.open(config, root, opener).
import { ApiError, createApi } from "./api.js";
import { adapterFor, clearDraft, quantity, readDraft, writeDraft } from "./cart.js";
import { h, trapFocus } from "./dom.js";
import { effectiveDpi, fitBox } from "./geometry.js";
import { setLocale, t } from "./i18n.js";
import { History, documentFor, emptyDocument, newId, summarize } from "./model.js";
import { prepare } from "./photo.js";
import { drawMockup, loadViewer, textureModel } from "./preview.js";
import { Stage } from "./stage.js";
import { aiPanel, clipartPanel, layersPanel, photoPanel, textPanel } from "./panels.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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
    this.doc = emptyDocument(this.template);
    this.restoreDraft();
    this.history = new History(this.doc, (restored) => this.afterHistory(restored));
    this.loadFonts();
    this.buildWorkspace();
    this.modal.setAttribute("aria-busy", "false");
    this.stage.resize();
    this.refresh();
    this.canvas.focus({ preventScroll: true });
  }

  buildShell() {
    this.status = h("p", { class: "luneo-status", role: "status", "aria-live": "polite" }, t("loading"));
    this.closeButton = h("button", { type: "button", class: "luneo-icon luneo-close", "aria-label": t("close"), onclick: () => this.close() }, "×");
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
    this.backdrop.addEventListener("mousedown", (e) => e.target === this.backdrop && this.close());
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
    if (this.stage) this.stage.destroy();
    clearInterval(this.pollTimer);
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

  keydown(e) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      this.close();
      return;
    }
    trapFocus(this.modal, e);
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
    this.titleEl.textContent = t("title", { product: (tpl.product && tpl.product.title) || "" }).trim();
    const areaTabs = tpl.print_areas.map((area) =>
      h("button", { type: "button", role: "tab", class: "luneo-tab", "data-area": area.key, onclick: () => this.showArea(area.key), onkeydown: (e) => this.tabKeys(e) }, area.name || area.key),
    );
    this.areaTabs = h("div", { class: "luneo-areas", role: "tablist", "aria-label": t("areas"), hidden: areaTabs.length < 2 }, areaTabs);
    this.canvas = h("canvas", { class: "luneo-canvas", tabindex: "0", role: "application", "aria-describedby": "luneo-help" });
    this.undoButton = h("button", { type: "button", class: "luneo-icon", "aria-label": t("undo"), title: t("undo"), onclick: () => this.history.undo() }, "↶");
    this.redoButton = h("button", { type: "button", class: "luneo-icon", "aria-label": t("redo"), title: t("redo"), onclick: () => this.history.redo() }, "↷");
    this.deleteButton = h("button", { type: "button", class: "luneo-icon", "aria-label": t("delete"), title: t("delete"), onclick: () => this.removeSelected() }, "🗑");
    this.live = h("p", { class: "luneo-sr", "aria-live": "polite" });
    const workspace = h(
      "section",
      { class: "luneo-workspace" },
      this.areaTabs,
      h("div", { class: "luneo-toolbar" }, this.undoButton, this.redoButton, this.deleteButton),
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
    this.previewTabs = previewTabs;
    const side = h(
      "aside",
      { class: "luneo-side" },
      h("div", { class: "luneo-tools", role: "tablist", "aria-label": t("tools") }, this.toolTabs),
      tools.map(([, panel]) => panel.el),
      h("section", { class: "luneo-preview", "aria-label": t("preview") }, h("div", { class: "luneo-chips" }, h("span", {}, t("preview")), previewTabs), this.previewCanvas, this.viewerBox, this.serverPreview),
    );
    this.body.append(workspace, side);
    this.cartButton = h("button", { type: "button", class: "luneo-primary", "data-luneo-add": "", onclick: () => this.addToCart() }, t("add_to_cart"));
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
  }

  tabKeys(e) {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const tabs = [...e.target.parentElement.querySelectorAll('[role="tab"]')];
    const next = tabs[(tabs.indexOf(e.target) + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  }

  showArea(key) {
    this.areaKey = key;
    this.selectedId = null;
    for (const tab of this.areaTabs.children) {
      const on = tab.dataset.area === key;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    this.canvas.setAttribute("aria-label", t("canvas_label", { area: this.area().name || key }));
    this.stage.resize();
    this.refresh();
  }

  showTool(key) {
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
    return this.layers().find((l) => l.id === this.selectedId) || null;
  }

  select(id) {
    this.selectedId = id;
    const layer = this.selected();
    if (layer && layer.type === "text" && this.tool !== "text" && this.tool !== "layers") this.showTool("text");
    this.refresh();
  }

  addLayer(layer) {
    const max = this.template.max_layers || 20;
    if (this.layers().length >= max) {
      this.status.textContent = t("too_many_layers", { n: max });
      return null;
    }
    layer.id = newId(layer.type);
    this.layers().push(layer);
    this.selectedId = layer.id;
    this.history.commit();
    return layer;
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
    if (!this.stage) return;
    this.stage.request();
    this.schedulePreview();
  }

  commit() {
    this.history.commit();
  }

  afterHistory(restored) {
    if (restored && !this.selected()) this.selectedId = null;
    this.revision++;
    this.saveDraft();
    this.refresh();
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
  }

  announcePosition(layer) {
    const name = layer.type === "text" ? layer.text.slice(0, 30) : t("layer_" + layer.type, { name: layer.name || "" });
    this.live.textContent = t("moved", { name, x: Math.round(layer.x_mm), y: Math.round(layer.y_mm), deg: Math.round(layer.rotation_deg || 0) });
  }

  // ---------------------------------------------------------------- fonts and pictures
  loadFonts() {
    const files = this.template.font_files || {};
    for (const entry of this.template.fonts || []) {
      const family = typeof entry === "string" ? entry : entry.family || entry.name;
      const url = (typeof entry === "object" && entry.url) || files[family];
      if (!url || !window.FontFace) continue;
      const face = new FontFace(family, "url(" + JSON.stringify(url) + ")");
      face.load().then((loaded) => {
        document.fonts.add(loaded);
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
    if (!this.images.has(src)) {
      const img = new Image();
      img.crossOrigin = "anonymous";
      img.onload = () => this.changed();
      img.src = url;
      this.images.set(src, img);
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
      this.status.textContent = layer ? t("uploaded") : this.status.textContent;
      return layer;
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

  async generate(prompt, style, report) {
    const body = { template_id: this.template.id, area: this.areaKey, prompt };
    if (style) body.style = style;
    const started = await this.api.startGeneration(body);
    let job = started;
    for (let i = 0; i < 240; i++) {
      if (["succeeded", "failed", "refused"].includes(job.status)) break;
      await sleep(i < 5 ? 800 : 1500);
      job = await this.api.generation(started.id);
      report(job);
    }
    if (job.status !== "succeeded" || !job.image) throw new ApiError(422, job.status, job.message || t("ai_failed"));
    const img = job.image;
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
      let mockup = this.mockups.get(area.key);
      if (!mockup && area.mockup_url) {
        mockup = new Image();
        mockup.crossOrigin = "anonymous";
        mockup.onload = () => this.schedulePreview();
        mockup.src = area.mockup_url;
        this.mockups.set(area.key, mockup);
      }
      drawMockup(this.previewCanvas, area, this.layers(), this.images, mockup);
      this.previewCanvas.dataset.revision = String(Number(this.previewCanvas.dataset.revision) + 1);
      if (this.viewer && !this.viewerBox.hidden) this.retexture();
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
      document: documentFor(this.doc, this.urls),
      design_id: this.designId,
      edit_token: this.editToken,
      pending_cart: !!this.pendingRetry,
      info: this.imageInfo,
    });
  }

  restoreDraft() {
    const draft = readDraft(this.config);
    if (!draft || draft.template_id !== this.template.id || !draft.document) return;
    for (const [key, area] of Object.entries(draft.document.areas || {})) if (this.doc.areas[key]) this.doc.areas[key] = area;
    const urls = (draft.document.meta && draft.document.meta.urls) || {};
    for (const area of Object.values(this.doc.areas))
      for (const layer of area.layers) if (layer.src && urls[layer.src]) this.image(layer.src, urls[layer.src]);
    Object.assign(this.imageInfo, draft.info || {});
    this.designId = draft.design_id || null;
    this.editToken = draft.edit_token || null;
    this.pendingRetry = !!draft.pending_cart;
    if (Object.values(this.doc.areas).some((a) => a.layers.length)) this.restoredMessage = t("draft_restored");
  }

  async addToCart(isRetry) {
    if (this.busy) return;
    if (!Object.values(this.doc.areas).some((a) => a.layers.length)) {
      this.status.textContent = t("empty_design");
      return;
    }
    this.busy = true;
    this.cartButton.disabled = this.retryButton.disabled = true;
    try {
      if (!(isRetry && this.designId && this.savedRevision === this.revision)) await this.save();
      this.status.textContent = t("adding");
      const adapter = adapterFor(this.config);
      const result = await adapter({ designId: this.designId, summary: this.summary, quantity: quantity(this.config), variantId: this.config.variantId, config: this.config });
      this.pendingRetry = false;
      this.retryButton.hidden = true;
      clearDraft(this.config);
      this.status.textContent = t("added");
      document.dispatchEvent(new CustomEvent("luneo:added", { detail: { designId: this.designId, summary: this.summary, response: result && result.payload } }));
      if (result && result.redirect) window.location.assign(result.redirect);
    } catch (err) {
      if (err instanceof ApiError) {
        const details = Array.isArray(err.details) ? err.details.map((d) => d.message || d.path || String(d)).join("; ") : "";
        this.status.textContent = details ? t("invalid_design", { details }) : err.message;
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

  async save() {
    this.status.textContent = t("saving");
    const body = { template_id: this.template.id, document: documentFor(this.doc, this.urls) };
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
