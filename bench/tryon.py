"""Virtual try-on (issue #23): frames per second of face tracking + drawing in headless Chromium.

The demo cap's product page (tests/e2e/storefront_shim.py: the store on its own origin, the real
Luneo on another), its editor with a word on the front panel, "Try it on" with the camera: a
fake camera playing scikit-image's astronaut portrait (tests/support/portrait.py, 512 × 512,
30 fps) in Debian's Chromium (`--use-fake-device-for-media-stream`; no GPU: WebGL on SwiftShader,
Wasm SIMD). After the tracker has warmed up (face found, 3 frames drawn), the page counts the
frames the try-on loop finishes in `--seconds`: each is MediaPipe's face mesh on the video frame
+ the placement + drawing the frame and the design on the canvas. Goal: 24 fps on a desktop;
printed as fps and as the ratio to the goal. The baseline beside it is the same loop with no
tracking (requestAnimationFrame drawing the camera frame alone into a canvas of the same size),
on the same page; the ratio try-on / baseline is the share of the display rate tracking keeps.

Run: ``.venv/bin/python bench/tryon.py [--runs 3] [--seconds 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from app.demo import CAP_PRODUCT_ID, DEMO_DOMAIN  # noqa: E402
from bench.widget import SECRET, make_app  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.storefront_shim import Storefront, block_config, serve  # noqa: E402
from tests.support.portrait import write_y4m  # noqa: E402

GOAL_FPS = 24.0
# In the page: frames the try-on loop draws in `seconds` (its canvas counts them).
COUNT_TRYON = """async (seconds) => {
  const canvas = document.querySelector('[data-tryon-canvas]');
  const f0 = Number(canvas.dataset.frames), t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return (Number(canvas.dataset.frames) - f0) / ((performance.now() - t0) / 1000);
}"""
# The baseline: the camera frame alone drawn on every animation frame, same size.
COUNT_BASELINE = """async (seconds) => {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true });
  const video = document.createElement('video');
  video.muted = true; video.playsInline = true; video.srcObject = stream;
  await video.play();
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth; canvas.height = video.videoHeight;
  const ctx = canvas.getContext('2d');
  let frames = 0, running = true;
  const loop = () => {
    if (!running) return;
    ctx.drawImage(video, 0, 0);
    frames++;
    requestAnimationFrame(loop);
  };
  const t0 = performance.now();
  loop();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  stream.getTracks().forEach((t) => t.stop());
  return frames / ((performance.now() - t0) / 1000);
}"""


def one_run(browser: Any, url: str, seconds: float) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["camera"])
    page: Page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Customize").click()
    expect(page.get_by_role("dialog")).to_have_attribute("aria-busy", "false")
    page.get_by_role("button", name="Add text").click()
    page.locator("[data-luneo-text]").fill("LUNEO")
    page.locator("[data-tryon-open]").click()
    page.locator("[data-tryon-camera]").click()
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-tryon-canvas]');"
        " return Number(c.dataset.landmarks) > 0 && Number(c.dataset.frames) >= 3; }",
        timeout=120_000,
    )
    tryon = float(page.evaluate(COUNT_TRYON, seconds))
    page.locator("[data-tryon-close]").click()
    baseline = float(page.evaluate(COUNT_BASELINE, seconds))
    context.close()
    return tryon, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        video = write_y4m(Path(tmp) / "astronaut.y4m")
        luneo = serve(app)
        luneo_url = next(luneo).replace("http://127.0.0.1:", "http://localhost:", 1)
        product = CAP_PRODUCT_ID.rsplit("/", 1)[1]
        server = serve(Storefront(luneo_url, DEMO_DOMAIN, SECRET, block_config(product)))
        base = next(server)
        camera = [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *camera]
                )
                runs = [
                    one_run(browser, f"{base}/products/cap", args.seconds) for _ in range(args.runs)
                ]
                browser.close()
        finally:
            next(server, None)
            next(luneo, None)
    tryon = [r[0] for r in runs]
    baseline = [r[1] for r in runs]
    fps, base_fps = statistics.median(tryon), statistics.median(baseline)
    print(
        f"try-on, face mesh + drawing (512×512 camera, headless, no GPU): median {fps:.1f} fps "
        f"(min {min(tryon):.1f}, max {max(tryon):.1f}, {args.runs} runs of {args.seconds:g} s)  "
        f"goal 24 fps  ratio {fps / GOAL_FPS:.2f}"
    )
    print(
        f"baseline, the camera frame alone drawn per animation frame: median {base_fps:.1f} fps  "
        f"→ try-on / baseline {fps / base_fps:.2f}"
    )


if __name__ == "__main__":
    main()
