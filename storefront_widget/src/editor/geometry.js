// Layer geometry in millimetres: boxes, pivots, hit tests and snapping to the safe area.
// The rules follow the schema: text anchors at (x_mm, y_mm) by its alignment and rotates about
// that anchor; images and clipart are boxes rotated about their centre.

const RAD = Math.PI / 180;

export function fontCss(layer, px) {
  return (layer.style === "italic" ? "italic " : "") + (layer.weight || 400) + " " + px + 'px "' + layer.font + '", sans-serif';
}

let measureCtx = null;
// Measured lines by font, size, spacing and text: the stage and the preview measure the same
// text layer several times a frame while the shopper types.
const measured = new Map();
export function textMetrics(layer) {
  const key = [fontCss(layer, 100), layer.size_mm, layer.letter_spacing_mm || 0, layer.line_spacing || 1.2, layer.text].join("|");
  let found = measured.get(key);
  if (!found) {
    if (measured.size > 300) measured.clear();
    found = measureText(layer);
    measured.set(key, found);
  }
  return found;
}

// A font that finished loading changes every width: forget what was measured with the fallback.
export function forgetMeasures() {
  measured.clear();
}

function measureText(layer) {
  measureCtx = measureCtx || document.createElement("canvas").getContext("2d");
  const size = layer.size_mm;
  measureCtx.font = fontCss(layer, 100);
  const k = size / 100;
  const spacing = layer.letter_spacing_mm || 0;
  const lines = String(layer.text || "").split("\n").map((line) => {
    const chars = Array.from(line).map((ch) => measureCtx.measureText(ch).width * k);
    const width = line ? measureCtx.measureText(line).width * k + spacing * Math.max(0, chars.length - 1) : 0;
    return { text: line, width, chars };
  });
  const lineHeight = size * (layer.line_spacing || 1.2);
  const width = Math.max(size * 0.3, ...lines.map((l) => l.width));
  return { lines, width, lineHeight, height: lineHeight * Math.max(1, lines.length) };
}

// One line's width in mm as the browser draws it (fields.js auto-fit): {text, font, weight, size_mm}.
export function measureLine(spec) {
  measureCtx = measureCtx || document.createElement("canvas").getContext("2d");
  measureCtx.font = fontCss(spec, 100);
  return (measureCtx.measureText(spec.text).width * spec.size_mm) / 100;
}

// The unrotated box (left, top, width, height) and the pivot it rotates about.
export function frame(layer) {
  if (layer.type === "text") {
    const m = textMetrics(layer);
    const shift = { left: 0, center: m.width / 2, right: m.width }[layer.align || "left"];
    const arc = Math.abs(layer.arc_degrees || 0);
    const extra = arc ? (m.width / (arc * RAD)) * (1 - Math.cos(Math.min(arc, 180) * RAD / 2)) : 0;
    const top = (layer.arc_degrees || 0) < 0 ? layer.y_mm - extra : layer.y_mm;
    return { left: layer.x_mm - shift, top, width: m.width, height: m.height + extra, px: layer.x_mm, py: layer.y_mm, metrics: m };
  }
  return {
    left: layer.x_mm,
    top: layer.y_mm,
    width: layer.width_mm,
    height: layer.height_mm,
    px: layer.x_mm + layer.width_mm / 2,
    py: layer.y_mm + layer.height_mm / 2,
  };
}

export function rotate(x, y, px, py, deg) {
  const a = deg * RAD;
  const dx = x - px;
  const dy = y - py;
  return [px + dx * Math.cos(a) - dy * Math.sin(a), py + dx * Math.sin(a) + dy * Math.cos(a)];
}

export function contains(layer, x, y, pad) {
  const f = frame(layer);
  const [lx, ly] = rotate(x, y, f.px, f.py, -(layer.rotation_deg || 0));
  return lx >= f.left - pad && lx <= f.left + f.width + pad && ly >= f.top - pad && ly <= f.top + f.height + pad;
}

// Corners of the rotated box, for handles and bounds.
export function corners(layer) {
  const f = frame(layer);
  const deg = layer.rotation_deg || 0;
  return [
    [f.left, f.top],
    [f.left + f.width, f.top],
    [f.left + f.width, f.top + f.height],
    [f.left, f.top + f.height],
  ].map(([x, y]) => rotate(x, y, f.px, f.py, deg));
}

export function centre(layer) {
  const f = frame(layer);
  return rotate(f.left + f.width / 2, f.top + f.height / 2, f.px, f.py, layer.rotation_deg || 0);
}

// Snap a moved layer so its bounding box edges or centre meet the safe area's edges or centre.
// Returns the correction to add to x_mm/y_mm and the guide lines to draw.
export function snap(layer, area, tolerance) {
  const pts = corners(layer);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const box = { l: Math.min(...xs), r: Math.max(...xs), t: Math.min(...ys), b: Math.max(...ys) };
  const m = area.safe_margin_mm || 0;
  const targetsX = [m, area.width_mm / 2, area.width_mm - m];
  const targetsY = [m, area.height_mm / 2, area.height_mm - m];
  const best = (values, targets) => {
    let hit = null;
    for (const v of values)
      for (const target of targets) {
        const d = target - v;
        if (Math.abs(d) <= tolerance && (!hit || Math.abs(d) < Math.abs(hit.d))) hit = { d, at: target };
      }
    return hit;
  };
  const sx = best([box.l, (box.l + box.r) / 2, box.r], targetsX);
  const sy = best([box.t, (box.t + box.b) / 2, box.b], targetsY);
  return { dx: sx ? sx.d : 0, dy: sy ? sy.d : 0, guides: { x: sx && sx.at, y: sy && sy.at } };
}

// The effective resolution of a photo as placed: its pixels over the printed size in inches.
export function effectiveDpi(layer, image) {
  if (!image || !image.width_px) return null;
  const crop = layer.crop || { x: 0, y: 0, width: 1, height: 1 };
  const wpx = crop.unit === "px" ? crop.width : image.width_px * crop.width;
  const hpx = crop.unit === "px" ? crop.height : image.height_px * crop.height;
  const side = layer.turn === 90 || layer.turn === 270; // the picture lies across its box
  const [bw, bh] = side ? [layer.height_mm, layer.width_mm] : [layer.width_mm, layer.height_mm];
  return Math.floor(Math.min(wpx / (bw / 25.4), hpx / (bh / 25.4)));
}

// Fit a w×h picture inside the safe area (at most `share` of it), centred.
export function fitBox(area, aspect, share) {
  const m = area.safe_margin_mm || 0;
  const maxW = (area.width_mm - 2 * m) * share;
  const maxH = (area.height_mm - 2 * m) * share;
  let w = maxW;
  let h = w / aspect;
  if (h > maxH) {
    h = maxH;
    w = h * aspect;
  }
  return { x_mm: (area.width_mm - w) / 2, y_mm: (area.height_mm - h) / 2, width_mm: w, height_mm: h };
}
