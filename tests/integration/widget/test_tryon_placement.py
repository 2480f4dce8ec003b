"""Where the try-on puts the design (``storefront_widget/src/tryon/placement.js``), run under node
on landmarks made up for the purpose: the same code places the shopper's overlay and the admin's
preview on the sample portrait, so its maths is checked here, without a browser."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.integration.widget.conftest import WIDGET, run_node_json

RUNNER = """
import { placements } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const cases = JSON.parse(input);
const boxes = cases.map((c) => placements(c.settings, c.landmarks, c.width, c.height, c.aspect));
process.stdout.write(JSON.stringify(boxes));
"""
W, H = 1000, 800


def _place(cases: list[dict[str, Any]]) -> list[list[dict[str, float]]]:
    script = RUNNER % json.dumps((WIDGET / "src" / "tryon" / "placement.js").as_uri())
    result: list[list[dict[str, float]]] = run_node_json(script, cases)
    return result


def _face(
    eye_right: tuple[float, float], eye_left: tuple[float, float], **points: tuple[float, float]
) -> list[dict[str, float]]:
    """468 face mesh points, all at the frame's centre but the ones named (pixels)."""
    marks = [{"x": 0.5, "y": 0.5}] * 468
    named = {33: eye_right, 263: eye_left}
    index = {"forehead": 10, "cheek_r": 234, "cheek_l": 454, "lobe_r": 177, "lobe_l": 401}
    named.update({index[k]: v for k, v in points.items()})
    return [
        {"x": named[i][0] / W, "y": named[i][1] / H} if i in named else m
        for i, m in enumerate(marks)
    ]


def _case(settings: dict[str, Any], landmarks: Any, aspect: float) -> dict[str, Any]:
    return {"settings": settings, "landmarks": landmarks, "width": W, "height": H, "aspect": aspect}


def _settings(anchor: str, scale: float, dx: float = 0, dy: float = 0) -> dict[str, Any]:
    return {"anchor": anchor, "scale": scale, "offset_x": dx, "offset_y": dy}


def test_glasses_sit_between_the_eyes_scaled_by_their_distance_and_turned_with_the_head() -> None:
    level = _face((400, 300), (500, 300))
    tilted = _face((400, 300), (500, 400))  # the head rolled 45°
    moved = _face((400, 300), (500, 300))

    straight, rolled, offset = _place(
        [
            _case(_settings("eyes", 1.5), level, 0.4),
            _case(_settings("eyes", 1.0), tilted, 0.5),
            _case(_settings("eyes", 1.0, dy=0.5), moved, 1),
        ]
    )

    assert straight == [{"x": 450, "y": 300, "width": 150, "height": 60, "angle": 0}]
    (box,) = rolled
    assert (box["x"], box["y"]) == (450, 350)
    assert box["width"] == pytest.approx(100 * math.sqrt(2))
    assert box["angle"] == pytest.approx(math.pi / 4)
    assert offset[0]["y"] == pytest.approx(350)  # half the eyes' distance down


def test_an_offset_turns_with_the_head() -> None:
    tilted = _face((400, 300), (500, 400))
    (box,) = _place([_case(_settings("eyes", 1, dy=-1), tilted, 1)])[0]
    # "up" on a head rolled 45° clockwise is up and to the right on the picture.
    distance = 100 * math.sqrt(2)
    assert box["x"] == pytest.approx(450 + distance * math.sin(math.pi / 4))
    assert box["y"] == pytest.approx(350 - distance * math.cos(math.pi / 4))


def test_a_hat_sits_on_the_forehead_as_wide_as_the_face() -> None:
    face = _face(
        (400, 300), (500, 300), forehead=(450, 200), cheek_r=(350, 350), cheek_l=(550, 350)
    )
    (box,) = _place([_case(_settings("forehead", 1.2, dy=-0.25), face, 0.5)])[0]
    assert box == {"x": 450, "y": 150, "width": 240, "height": 120, "angle": 0}


def test_earrings_hang_under_both_ear_lobes_with_mirrored_offsets() -> None:
    face = _face((400, 300), (500, 300), lobe_r=(340, 420), lobe_l=(560, 420))
    boxes = _place([_case(_settings("ear_lobes", 0.2, dx=0.1, dy=0.3), face, 2)])[0]
    assert [(b["x"], b["y"]) for b in boxes] == [(330, 450), (570, 450)]  # both outwards, down
    assert all(b["width"] == 20 and b["height"] == 40 for b in boxes)


def test_a_watch_lies_across_the_wrist_and_a_ring_across_its_finger() -> None:
    hand = [{"x": 0.5, "y": 0.5}] * 21
    points = {
        0: (500, 700),
        5: (450, 500),
        9: (500, 500),
        13: (550, 500),
        14: (550, 400),
        17: (600, 500),
    }
    for i, (x, y) in points.items():
        hand[i] = {"x": x / W, "y": y / H}

    watch, ring = _place(
        [
            _case(_settings("wrist", 1.0), hand, 0.5),
            _case(_settings("ring_finger", 0.5), hand, 1),
        ]
    )

    assert watch[0]["x"] == 500
    assert watch[0]["y"] == 700
    assert watch[0]["width"] == 150  # the palm's width, index to little finger knuckle
    assert watch[0]["angle"] == pytest.approx(0)  # the arm points up: the strap lies level
    assert (ring[0]["x"], ring[0]["y"]) == (550, 455)  # 45 % of the way to the next joint
    assert ring[0]["width"] == 75


def test_no_landmarks_no_overlay() -> None:
    assert _place(
        [{"settings": _settings("eyes", 1), "landmarks": [], "width": W, "height": H, "aspect": 1}]
    ) == [[]]
