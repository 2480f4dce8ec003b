// Where a try-on overlay goes on a face or a hand: pure maths on the tracker's landmarks
// (MediaPipe's face mesh: 468 points; hands: 21 points; x, y as fractions of the frame).
// The widget and the admin's preview on the sample portrait both call `placements`, so what the
// merchant sets is what the shopper sees.

// Face mesh points: the outer eye corners, the forehead's top, the cheeks beside the ears,
// the ear lobes' side of the jaw, the lips, the nose tip.
const FACE = { eyeRight: 33, eyeLeft: 263, forehead: 10, cheekRight: 234, cheekLeft: 454, lobeRight: 177, lobeLeft: 401, lipTop: 13, lipBottom: 14, nose: 1 };
// Hand points: the wrist, each finger's knuckle (MCP) and its next joint (PIP).
const HAND = { wrist: 0, index: [5, 6], middle: [9, 10], ring: [13, 14], pinky: 17 };

export const TRACKERS = { eyes: "face", forehead: "face", ear_lobes: "face", mouth: "face", nose: "face", wrist: "hand", ring_finger: "hand", index_finger: "hand", middle_finger: "hand" };

function pt(landmarks, i, w, h) {
  const p = landmarks[i];
  return { x: p.x * w, y: p.y * h };
}
const mid = (a, b) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
const dist = (a, b) => Math.hypot(b.x - a.x, b.y - a.y);
const angle = (a, b) => Math.atan2(b.y - a.y, b.x - a.x);

// One anchor: its centre, its reference length (what scale and offsets multiply) and its roll.
function anchorOf(name, lm, w, h) {
  const P = (i) => pt(lm, i, w, h);
  if (TRACKERS[name] === "face") {
    const eyeR = P(FACE.eyeRight), eyeL = P(FACE.eyeLeft);
    const roll = angle(eyeR, eyeL);
    const eyes = dist(eyeR, eyeL);
    const faceWidth = dist(P(FACE.cheekRight), P(FACE.cheekLeft));
    if (name === "eyes") return [{ c: mid(eyeR, eyeL), ref: eyes, roll }];
    if (name === "forehead") return [{ c: P(FACE.forehead), ref: faceWidth, roll }];
    if (name === "mouth") return [{ c: mid(P(FACE.lipTop), P(FACE.lipBottom)), ref: faceWidth, roll }];
    if (name === "nose") return [{ c: P(FACE.nose), ref: faceWidth, roll }];
    // ear_lobes: one overlay under each ear, mirrored offsets.
    return [
      { c: P(FACE.lobeRight), ref: eyes, roll, mirror: true },
      { c: P(FACE.lobeLeft), ref: eyes, roll },
    ];
  }
  const wrist = P(HAND.wrist);
  const palm = dist(P(HAND.index[0]), P(HAND.pinky));
  if (name === "wrist") {
    // Across the arm: perpendicular to the wrist -> middle knuckle line.
    const along = angle(wrist, P(HAND.middle[0]));
    return [{ c: wrist, ref: palm, roll: along + Math.PI / 2 }];
  }
  const [base, joint] = HAND[name.replace("_finger", "")];
  const a = P(base), b = P(joint);
  return [{ c: { x: a.x + (b.x - a.x) * 0.45, y: a.y + (b.y - a.y) * 0.45 }, ref: palm, roll: angle(a, b) + Math.PI / 2 }];
}

// The overlay's boxes on the frame: [{x, y (centre, px), width, height, angle (radians)}].
// `settings`: the template's try_on ({kind, anchor, scale, offset_x, offset_y}); `aspect`: the
// overlay's height / width.
export function placements(settings, landmarks, width, height, aspect) {
  if (!landmarks || !landmarks.length) return [];
  return anchorOf(settings.anchor, landmarks, width, height).map(({ c, ref, roll, mirror }) => {
    const size = ref * settings.scale;
    const dx = (mirror ? -1 : 1) * settings.offset_x * ref;
    const dy = settings.offset_y * ref;
    const cos = Math.cos(roll), sin = Math.sin(roll);
    return { x: c.x + dx * cos - dy * sin, y: c.y + dx * sin + dy * cos, width: size, height: size * aspect, angle: roll };
  });
}

// Draws `overlay` (a canvas or image) at each placement on `ctx`.
export function drawOverlay(ctx, overlay, boxes) {
  for (const b of boxes) {
    ctx.save();
    ctx.translate(b.x, b.y);
    ctx.rotate(b.angle);
    ctx.drawImage(overlay, -b.width / 2, -b.height / 2, b.width, b.height);
    ctx.restore();
  }
}
