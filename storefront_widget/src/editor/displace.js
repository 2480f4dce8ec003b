// How a print follows the fabric on a 2D mockup: the twin of app/design/displace.py (the one
// definition of the math, read it there), held to it by
// tests/integration/widget/test_widget_displace.py. The photo's luminance over the view's box,
// box-blurred (radius max(1, round(min(w, h) / 40)), across then down, edges repeated), minus
// its mean, times the strength: the offset, the same along x and y, at which each shown pixel
// reads the flat print (bilinear, pixel centres on whole numbers, clear outside); the print is
// then multiplied onto the photo so the folds shade it too.
export function blurRadius(width, height) {
  return Math.max(1, Math.round(Math.min(width, height) / 40));
}

export function luminance(rgba, width, height) {
  const lum = new Float64Array(width * height);
  for (let i = 0; i < width * height; i++) {
    lum[i] = (rgba[i * 4] * 0.299 + rgba[i * 4 + 1] * 0.587 + rgba[i * 4 + 2] * 0.114) / 255;
  }
  return lum;
}

function boxBlur(values, width, height, radius, across) {
  const out = new Float64Array(width * height);
  const size = across ? width : height;
  const lines = across ? height : width;
  const at = (line, i) => (across ? line * width + i : i * width + line);
  for (let line = 0; line < lines; line++) {
    for (let i = 0; i < size; i++) {
      let sum = 0;
      for (let k = i - radius; k <= i + radius; k++) sum += values[at(line, Math.min(size - 1, Math.max(0, k)))];
      out[at(line, i)] = sum / (2 * radius + 1);
    }
  }
  return out;
}

export function offsets(lum, width, height, strength) {
  const radius = blurRadius(width, height);
  const blurred = boxBlur(boxBlur(lum, width, height, radius, true), width, height, radius, false);
  let mean = 0;
  for (const v of blurred) mean += v;
  mean /= blurred.length || 1;
  return blurred.map((v) => (v - mean) * strength);
}

// The flat print's RGBA pixels (width x height) as shown on the folds: a new RGBA array.
export function displaced(art, width, height, offset) {
  const out = new Uint8ClampedArray(width * height * 4);
  const pixel = (x, y, c) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : art[(y * width + x) * 4 + c]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const sx = x + offset[i];
      const sy = y + offset[i];
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const weights = [(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy];
      const corners = [[x0, y0], [x0 + 1, y0], [x0, y0 + 1], [x0 + 1, y0 + 1]];
      let alpha = 0;
      const colour = [0, 0, 0];
      corners.forEach(([cx, cy], k) => {
        const a = pixel(cx, cy, 3) * weights[k];
        alpha += a;
        for (let c = 0; c < 3; c++) colour[c] += pixel(cx, cy, c) * a;
      });
      for (let c = 0; c < 3; c++) out[i * 4 + c] = alpha > 0 ? colour[c] / alpha : 0;
      out[i * 4 + 3] = alpha;
    }
  }
  return out;
}
