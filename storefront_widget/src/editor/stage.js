// The editing canvas: draws the current print area and lets the shopper drag, pinch-scale and
// rotate layers (mouse, touch, pen and keyboard), snapping to the safe area.
import { contains, frame, snap, centre } from "./geometry.js";
import { drawLayers, drawGuides, drawSelection, selectionHandles } from "./render.js";
import { drawCropping, moveSide, sideAt, sideHandles } from "./crop.js";

const PAD = 18;

// A movable field's text is placed by its box (fields.js): moving the text moves the box.
function shiftBox(layer, start, dx, dy) {
  if (start.box) layer.box = { ...start.box, x_mm: start.box.x_mm + dx, y_mm: start.box.y_mm + dy };
}

export class Stage {
  constructor(editor, canvas) {
    this.editor = editor;
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.pointers = new Map();
    this.gesture = null;
    this.guides = null;
    this.frameRequested = false;
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
    canvas.addEventListener("keydown", (e) => this.key(e));
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(canvas.parentElement);
  }

  destroy() {
    this.resizer.disconnect();
  }

  resize() {
    const box = this.canvas.parentElement.getBoundingClientRect();
    const area = this.editor.area();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(200, box.width);
    const b = area.bleed_mm || 0;
    const s = (width - PAD * 2) / (area.width_mm + 2 * b);
    const height = Math.min(Math.max(160, (area.height_mm + 2 * b) * s + PAD * 2), window.innerHeight * (window.innerWidth < 760 ? 0.4 : 0.55));
    this.scale = Math.min(s, (height - PAD * 2) / (area.height_mm + 2 * b));
    this.ox = (width - area.width_mm * this.scale) / 2;
    this.oy = (height - area.height_mm * this.scale) / 2;
    this.canvas.style.height = height + "px";
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.ratio = ratio;
    this.draw();
  }

  request() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
    });
  }

  draw() {
    const { ctx, canvas } = this;
    const area = this.editor.area();
    if (!this.scale) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(this.ratio, 0, 0, this.ratio, this.ratio * this.ox, this.ratio * this.oy);
    const s = this.scale;
    ctx.fillStyle = "#ffffff";
    ctx.shadowColor = "rgba(0,0,0,.18)";
    ctx.shadowBlur = 8;
    ctx.fillRect(0, 0, area.width_mm * s, area.height_mm * s);
    ctx.shadowBlur = 0;
    ctx.save();
    const b = area.bleed_mm || 0;
    ctx.beginPath();
    ctx.rect(-b * s, -b * s, (area.width_mm + 2 * b) * s, (area.height_mm + 2 * b) * s);
    ctx.clip();
    drawLayers(ctx, this.editor.layers(), s, this.editor.images);
    ctx.restore();
    drawGuides(ctx, area, s, this.guides);
    const selected = this.editor.selected();
    const cropping = this.cropping();
    if (cropping) drawCropping(ctx, cropping, s, this.editor.images.get(cropping.src), this.editor.accent);
    else if (selected) drawSelection(ctx, selected, s, this.editor.accent);
    if (window.performance && performance.mark) performance.mark("luneo:stage");
  }

  // Pointer position in millimetres of the area, and in stage pixels relative to the area origin.
  at(e) {
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left - this.ox;
    const y = e.clientY - rect.top - this.oy;
    return { x: x / this.scale, y: y / this.scale, px: x, py: y };
  }

  // The selected picture while the shopper crops it on the canvas (photo tools), else null.
  cropping() {
    const layer = this.editor.selected();
    const image = layer && this.editor.images.get(layer.src);
    if (!layer || this.editor.croppingId !== layer.id || layer.clip || layer.locked || !image || !image.naturalWidth) return null;
    return layer;
  }

  hit(p) {
    const layers = this.editor.layers();
    for (let i = layers.length - 1; i >= 0; i--)
      if (!this.editor.isFixed(layers[i]) && !layers[i].hidden && contains(layers[i], p.x, p.y, 6 / this.scale)) return layers[i];
    return null;
  }

  down(e) {
    this.canvas.focus({ preventScroll: true });
    const p = this.at(e);
    this.pointers.set(e.pointerId, p);
    this.canvas.setPointerCapture(e.pointerId);
    const selected = this.editor.selected();
    const cropping = this.cropping();
    if (cropping && this.pointers.size === 1) {
      const side = sideAt(cropping, this.scale, p.px, p.py, 18);
      if (side) return this.startCrop(cropping, side, p);
      this.editor.cropOnCanvas(false); // a press anywhere else ends cropping
    }
    if (this.pointers.size === 2 && selected && !selected.locked) return this.startPinch(selected);
    if (selected && !selected.locked) {
      const h = selectionHandles(selected, this.scale);
      const near = (q) => Math.hypot(q[0] - p.px, q[1] - p.py) < 16;
      if (near(h.rotate)) return this.start("rotate", selected, p);
      if (near(h.scale)) return this.start("scale", selected, p);
    }
    const layer = this.hit(p);
    this.editor.select(layer ? layer.id : null);
    if (layer && !layer.locked) this.start("move", layer, p);
    e.preventDefault();
  }

  start(kind, layer, p) {
    const f = frame(layer);
    const [cx, cy] = layer.type === "text" ? [f.px, f.py] : centre(layer);
    this.gesture = { kind, layer, p0: p, start: { ...layer }, cx, cy, a0: Math.atan2(p.y - cy, p.x - cx), d0: Math.hypot(p.x - cx, p.y - cy) || 1 };
  }

  startCrop(layer, side, p) {
    const image = this.editor.images.get(layer.src);
    const size = [image.naturalWidth, image.naturalHeight];
    const start = { ...layer, crop: layer.crop && { ...layer.crop } };
    this.gesture = { kind: "crop", layer, side, p0: p, start, size, inward: sideHandles(layer, 1)[side].inward };
  }

  startPinch(layer) {
    const [a, b] = [...this.pointers.values()];
    this.gesture = { kind: "pinch", layer, start: { ...layer }, d0: Math.hypot(b.x - a.x, b.y - a.y) || 1, a0: Math.atan2(b.y - a.y, b.x - a.x) };
  }

  move(e) {
    if (!this.pointers.has(e.pointerId)) return;
    const p = this.at(e);
    this.pointers.set(e.pointerId, p);
    const g = this.gesture;
    if (!g) return;
    const layer = g.layer;
    if (g.kind === "crop") {
      const d = (p.x - g.p0.x) * g.inward[0] + (p.y - g.p0.y) * g.inward[1];
      const fields = moveSide(g.start, g.side, d, g.size);
      Object.assign(layer, fields);
      if (!fields.crop) delete layer.crop;
    } else if (g.kind === "move") {
      layer.x_mm = g.start.x_mm + p.x - g.p0.x;
      layer.y_mm = g.start.y_mm + p.y - g.p0.y;
      const fix = snap(layer, this.editor.area(), 8 / this.scale);
      layer.x_mm += fix.dx;
      layer.y_mm += fix.dy;
      this.guides = fix.guides;
      shiftBox(layer, g.start, layer.x_mm - g.start.x_mm, layer.y_mm - g.start.y_mm);
    } else if (g.kind === "rotate") {
      let deg = g.start.rotation_deg || 0;
      deg += ((Math.atan2(p.y - g.cy, p.x - g.cx) - g.a0) * 180) / Math.PI;
      const near = Math.round(deg / 45) * 45;
      this.setRotation(layer, Math.abs(near - deg) < 4 ? near : deg, g);
    } else if (g.kind === "scale") {
      this.scaleTo(layer, g, Math.hypot(p.x - g.cx, p.y - g.cy) / g.d0);
    } else if (g.kind === "pinch") {
      const [a, b] = [...this.pointers.values()];
      const factor = Math.hypot(b.x - a.x, b.y - a.y) / g.d0;
      const turn = ((Math.atan2(b.y - a.y, b.x - a.x) - g.a0) * 180) / Math.PI;
      this.scaleTo(layer, g, factor);
      layer.rotation_deg = (g.start.rotation_deg || 0) + turn;
    }
    this.editor.changed();
  }

  setRotation(layer, deg) {
    layer.rotation_deg = deg;
  }

  scaleTo(layer, g, factor) {
    const k = Math.min(20, Math.max(0.05, factor));
    if (layer.type === "text") {
      layer.size_mm = Math.max(1, g.start.size_mm * k);
      return;
    }
    const w = Math.max(2, g.start.width_mm * k);
    const h = Math.max(2, g.start.height_mm * (w / g.start.width_mm));
    layer.x_mm = g.start.x_mm + (g.start.width_mm - w) / 2;
    layer.y_mm = g.start.y_mm + (g.start.height_mm - h) / 2;
    layer.width_mm = w;
    layer.height_mm = h;
  }

  up(e) {
    this.pointers.delete(e.pointerId);
    if (this.pointers.size === 0 && this.gesture) {
      this.gesture = null;
      this.guides = null;
      this.editor.commit();
      this.request();
    } else if (this.pointers.size === 1 && this.gesture && this.gesture.kind === "pinch") {
      this.gesture = null;
      this.editor.commit();
    }
  }

  // Keyboard: arrows move 1 mm (Shift: 10 mm), +/- scale, [ ] rotate, Delete removes.
  key(e) {
    const layer = this.editor.selected();
    if (!layer) return;
    if (this.cropping() && (e.key === "Enter" || e.key === "Escape")) {
      e.preventDefault();
      e.stopPropagation(); // Escape ends the crop, not the editor
      return this.editor.cropOnCanvas(false);
    }
    const step = e.shiftKey ? 10 : 1;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const g = { start: { ...layer } };
    if (moves[e.key] && !layer.locked) {
      layer.x_mm += moves[e.key][0];
      layer.y_mm += moves[e.key][1];
      shiftBox(layer, g.start, moves[e.key][0], moves[e.key][1]);
    } else if ((e.key === "+" || e.key === "=") && !layer.locked) this.scaleTo(layer, g, 1.05);
    else if (e.key === "-" && !layer.locked) this.scaleTo(layer, g, 1 / 1.05);
    else if (e.key === "]" && !layer.locked) layer.rotation_deg = (layer.rotation_deg || 0) + (e.shiftKey ? 15 : 5);
    else if (e.key === "[" && !layer.locked) layer.rotation_deg = (layer.rotation_deg || 0) - (e.shiftKey ? 15 : 5);
    else if (e.key === "Delete" || e.key === "Backspace") return this.editor.removeSelected();
    else return;
    e.preventDefault();
    this.editor.changed();
    this.editor.commit();
    this.editor.announcePosition(layer);
  }
}
