// Drawing a print area's layers on a 2D canvas (the stage, the mockup preview and the 3D texture).
import { fontCss, frame, corners } from "./geometry.js";
import { drawOriented, editedCanvas, filtersActive, sourceRect } from "./photo_tools.js";

const RAD = Math.PI / 180;

// One line, its characters placed as app/design/text_layout.py does; `paint(text, x, y)` fills or
// strokes (the outline and the shadow's silhouette go through the same placement).
function drawTextLine(ctx, layer, line, baseline, f, s, paint) {
  const spacing = (layer.letter_spacing_mm || 0) * s;
  const left = f.px - { left: 0, center: line.width / 2, right: line.width }[layer.align || "left"];
  const arc = layer.arc_degrees || 0;
  if (!arc && !spacing) {
    ctx.textAlign = "left";
    paint(line.text, left * s, baseline * s);
    return;
  }
  const chars = Array.from(line.text);
  const middle = left + line.width / 2;
  const radius = arc ? line.width / (Math.abs(arc) * RAD) : 0;
  let x = left;
  ctx.textAlign = "center";
  chars.forEach((ch, i) => {
    const advance = line.chars[i];
    const offset = x + advance / 2 - middle;
    ctx.save();
    if (!arc || !line.width) ctx.translate((x + advance / 2) * s, baseline * s);
    else if (arc > 0) {
      // A rainbow (y grows downwards): the ends drop below the middle, as app/design/text_layout.py.
      const phi = offset / radius;
      ctx.translate((middle + radius * Math.sin(phi)) * s, (baseline + radius - radius * Math.cos(phi)) * s);
      ctx.rotate(phi);
    } else {
      const phi = offset / radius;
      ctx.translate((middle + radius * Math.sin(phi)) * s, (baseline - radius + radius * Math.cos(phi)) * s);
      ctx.rotate(-phi);
    }
    paint(ch, 0, 0);
    ctx.restore();
    x += advance + (layer.letter_spacing_mm || 0);
  });
}

function paintLines(ctx, layer, f, s, paint) {
  const m = f.metrics;
  m.lines.forEach((line, i) => {
    // The CSS line box: the em box centred in line-height, baseline at ~0.8 em below its top.
    const baseline = layer.y_mm + i * m.lineHeight + (m.lineHeight - layer.size_mm) / 2 + layer.size_mm * 0.8;
    drawTextLine(ctx, layer, line, baseline, f, s, paint);
  });
}

// The letters (and outline) as one silhouette, painted by a canvas shadow only: the silhouette
// is drawn a canvas-width off to the left, its shadow offset back. Offsets and blur are in area
// millimetres (they do not turn with the text); blur is the radius (sigma = blur / 2), as the print.
let silhouette = null;
function drawShadow(ctx, layer, f, s, outline) {
  const sh = layer.shadow;
  const { width, height } = ctx.canvas;
  silhouette = silhouette || document.createElement("canvas");
  if (silhouette.width !== width || silhouette.height !== height) {
    silhouette.width = width;
    silhouette.height = height;
  }
  const o = silhouette.getContext("2d");
  o.setTransform(1, 0, 0, 1, 0, 0);
  o.clearRect(0, 0, width, height);
  o.setTransform(ctx.getTransform());
  o.font = ctx.font;
  o.textBaseline = "alphabetic";
  o.fillStyle = o.strokeStyle = "#000";
  if (outline) {
    o.lineWidth = outline;
    o.lineJoin = "round";
    paintLines(o, layer, f, s, (text, x, y) => o.strokeText(text, x, y));
  }
  paintLines(o, layer, f, s, (text, x, y) => o.fillText(text, x, y));
  const m = ctx.getTransform();
  const k = Math.hypot(m.a, m.b) * s; // device pixels per millimetre
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha *= sh.opacity === undefined ? 1 : sh.opacity;
  ctx.shadowColor = sh.color;
  ctx.shadowBlur = (sh.blur_mm || 0) * k;
  ctx.shadowOffsetX = (sh.offset_x_mm || 0) * k + width;
  ctx.shadowOffsetY = (sh.offset_y_mm || 0) * k;
  ctx.drawImage(silhouette, -width, 0);
  ctx.restore();
}

// Shadow, then the outline (centred on the letters' edges, under the fill), then the fill: the
// print's order (app/design/layers.py text_tile, pdf.py _draw_text).
function drawText(ctx, layer, s) {
  const f = frame(layer);
  ctx.font = fontCss(layer, layer.size_mm * s);
  ctx.textBaseline = "alphabetic";
  const outline = layer.stroke && layer.stroke_width_mm > 0 ? layer.stroke_width_mm * s : 0;
  if (layer.shadow && layer.shadow.color) drawShadow(ctx, layer, f, s, outline);
  if (outline) {
    ctx.strokeStyle = layer.stroke;
    ctx.lineWidth = outline;
    ctx.lineJoin = "round";
    paintLines(ctx, layer, f, s, (text, x, y) => ctx.strokeText(text, x, y));
  }
  ctx.fillStyle = layer.color || "#000000";
  paintLines(ctx, layer, f, s, (text, x, y) => ctx.fillText(text, x, y));
}

// A picture's pixels for its box: cropped, recoloured (single-colour clipart) and clipped to a
// frame's shape or mask. Offscreen only when a tint or a mask needs compositing.
function drawPicture(ctx, layer, s, image, images) {
  const f = frame(layer);
  const x = f.left * s;
  const y = f.top * s;
  const w = f.width * s;
  const hgt = f.height * s;
  if (!(image && image.complete && image.naturalWidth)) {
    ctx.fillStyle = "rgba(148,163,184,.35)";
    ctx.fillRect(x, y, w, hgt);
    return;
  }
  // The crop (cut to a frame's proportions), turned, flipped and filtered as the print is.
  const src = sourceRect(layer, image);
  const filtered = layer.type === "image" && filtersActive(layer.filters);
  const draw = (c, dx, dy, dw, dh) =>
    filtered ? c.drawImage(editedCanvas(image, src, Math.max(1, Math.ceil(dw)), Math.max(1, Math.ceil(dh)), layer), dx, dy, dw, dh) : drawOriented(c, image, src, dx, dy, dw, dh, layer);
  const clip = layer.clip && layer.clip.shape;
  const mask = clip === "mask" && layer.clip.mask ? images.get(layer.clip.mask) : null;
  if (!layer.color && !mask) {
    ctx.save();
    if (clip === "ellipse" || clip === "rounded") {
      ctx.beginPath();
      if (clip === "ellipse") ctx.ellipse(x + w / 2, y + hgt / 2, w / 2, hgt / 2, 0, 0, Math.PI * 2);
      else if (ctx.roundRect) ctx.roundRect(x, y, w, hgt, Math.min(w, hgt) * 0.15);
      else ctx.rect(x, y, w, hgt);
      ctx.clip();
    }
    draw(ctx, x, y, w, hgt);
    ctx.restore();
    return;
  }
  const off = document.createElement("canvas");
  off.width = Math.max(1, Math.ceil(w));
  off.height = Math.max(1, Math.ceil(hgt));
  const o = off.getContext("2d");
  draw(o, 0, 0, off.width, off.height);
  if (layer.color) {
    o.globalCompositeOperation = "source-in";
    o.fillStyle = layer.color;
    o.fillRect(0, 0, off.width, off.height);
  }
  if (mask && mask.complete && mask.naturalWidth) {
    o.globalCompositeOperation = "destination-in";
    o.drawImage(mask, 0, 0, off.width, off.height);
  }
  ctx.drawImage(off, x, y, w, hgt);
}

// Draw the layers of one area with the origin at the area's top-left, `s` pixels per millimetre.
export function drawLayers(ctx, layers, s, images) {
  for (const layer of layers) {
    if (layer.hidden) continue; // kept in the design, never drawn (nor printed)
    const f = frame(layer);
    ctx.save();
    ctx.globalAlpha = layer.opacity === undefined ? 1 : layer.opacity;
    ctx.translate(f.px * s, f.py * s);
    ctx.rotate((layer.rotation_deg || 0) * RAD);
    ctx.translate(-f.px * s, -f.py * s);
    if (layer.type === "text") drawText(ctx, layer, s);
    else drawPicture(ctx, layer, s, images.get(layer.src), images);
    ctx.restore();
  }
}

export function drawSelection(ctx, layer, s, accent) {
  const pts = corners(layer).map(([x, y]) => [x * s, y * s]);
  ctx.save();
  ctx.strokeStyle = accent;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([]);
  ctx.beginPath();
  pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.closePath();
  ctx.stroke();
  const handles = selectionHandles(layer, s);
  ctx.fillStyle = "#fff";
  for (const h of [handles.scale, handles.rotate]) {
    ctx.beginPath();
    ctx.arc(h[0], h[1], 9, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
  }
  ctx.beginPath();
  ctx.moveTo((pts[0][0] + pts[1][0]) / 2, (pts[0][1] + pts[1][1]) / 2);
  ctx.lineTo(handles.rotate[0], handles.rotate[1]);
  ctx.stroke();
  ctx.restore();
}

// Handle positions in stage pixels (relative to the area origin): scale at the bottom-right corner,
// rotate on a stalk above the top edge.
export function selectionHandles(layer, s) {
  const pts = corners(layer).map(([x, y]) => [x * s, y * s]);
  const topMid = [(pts[0][0] + pts[1][0]) / 2, (pts[0][1] + pts[1][1]) / 2];
  const a = ((layer.rotation_deg || 0) - 90) * RAD;
  return { scale: pts[2], rotate: [topMid[0] + Math.cos(a) * 28, topMid[1] + Math.sin(a) * 28] };
}

export function drawGuides(ctx, area, s, snapGuides) {
  const m = area.safe_margin_mm || 0;
  const b = area.bleed_mm || 0;
  ctx.save();
  ctx.lineWidth = 1;
  ctx.setLineDash([6, 4]);
  ctx.strokeStyle = "rgba(220,38,38,.7)";
  if (b) ctx.strokeRect(-b * s, -b * s, (area.width_mm + 2 * b) * s, (area.height_mm + 2 * b) * s);
  ctx.strokeStyle = "rgba(37,99,235,.8)";
  ctx.strokeRect(m * s, m * s, (area.width_mm - 2 * m) * s, (area.height_mm - 2 * m) * s);
  ctx.setLineDash([]);
  ctx.strokeStyle = "#db2777";
  if (snapGuides && snapGuides.x != null) {
    ctx.beginPath();
    ctx.moveTo(snapGuides.x * s, 0);
    ctx.lineTo(snapGuides.x * s, area.height_mm * s);
    ctx.stroke();
  }
  if (snapGuides && snapGuides.y != null) {
    ctx.beginPath();
    ctx.moveTo(0, snapGuides.y * s);
    ctx.lineTo(area.width_mm * s, snapGuides.y * s);
    ctx.stroke();
  }
  ctx.restore();
}

// The area's artwork alone at `pxPerMm` (transparent background): for the mockup and 3D texture.
// One scratch canvas, reused (callers draw it at once): typing redraws it on every key.
let scratch = null;
export function renderArea(area, layers, images, pxPerMm) {
  scratch = scratch || document.createElement("canvas");
  const width = Math.max(1, Math.round(area.width_mm * pxPerMm));
  const height = Math.max(1, Math.round(area.height_mm * pxPerMm));
  if (scratch.width !== width || scratch.height !== height) {
    scratch.width = width;
    scratch.height = height;
  }
  const ctx = scratch.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, width, height);
  drawLayers(ctx, layers, pxPerMm, images);
  return scratch;
}
