// How a print area bends on its mockup around a cylinder (a mug): the twin of app/design/warp.py,
// held to it by tests/integration/widget/test_widget_warp.py. A column at t (-1 left, 0 middle,
// 1 right) of the body shows the wrap's point asin(t) * C / 2π from the part facing the viewer.
export function sourceMm(cylinder, t, areaWidthMm) {
  if (!(t >= -1 && t <= 1)) return null;
  const x = areaWidthMm / 2 + (cylinder.offset_mm || 0) + (Math.asin(t) * cylinder.circumference_mm) / (2 * Math.PI);
  return x >= 0 && x <= areaWidthMm ? x : null;
}

export function centrePxPerMm(cylinder, widthPx) {
  return (Math.PI * widthPx) / cylinder.circumference_mm;
}
