"""The storefront widget's budget: asset sizes and time to an interactive editor on a phone.

Sizes are the committed assets gzipped (level 9): the product-page loader (budget 10 KB) and the
editor JS + CSS without the 3D viewer (budget 150 KB); the lazily loaded viewer is printed too.

Time: the demo mug's product page (tests/e2e/storefront_shim.py: the app block's markup on the
store's origin, the real Luneo on another, reached through a signed app proxy) in Debian's
headless Chromium, emulating a mid-range phone — 360 × 740 viewport, CPU throttled 4×
(Emulation.setCPUThrottlingRate) and Lighthouse's mobile network (150 ms RTT, 1.6 Mbps down,
750 kbps up: Network.emulateNetworkConditions).
Each run is a fresh browser context (cold cache); the clock starts at the click on Customize and
stops when the editor is interactive: editor JS + CSS fetched and run, the product's template
fetched through the proxy, the workspace built and the canvas painted (the dialog's aria-busy
turns false, then a frame). Budget 1.5 s. Printed as figures and as ratios to the budgets;
the baseline beside it is the same click on the same profile when the editor is already cached
in the page (only the template request and the build), which isolates the download cost.

Run: ``.venv/bin/python bench/widget.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from app import create_app, migrate  # noqa: E402
from app.demo import DEMO_DOMAIN, MUG_PRODUCT_ID, seed_demo_shop  # noqa: E402
from app.extensions import get_db, get_storage  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.storefront_shim import ASSETS, Storefront, block_config, serve  # noqa: E402

SECRET = "bench-proxy-secret"  # noqa: S105 - signs the bench's own local proxy calls only
LOADER_BUDGET, EDITOR_BUDGET, INTERACTIVE_BUDGET = 10 * 1024, 150 * 1024, 1.5
MOBILE_NETWORK = {  # Lighthouse's "Slow 4G" mobile throttling (bytes per second)
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
# Click, then wait until the dialog is built and one more frame has been painted.
CLICK_TO_INTERACTIVE = """async () => {
  const button = document.querySelector('.luneo-open');
  const t0 = performance.now();
  button.click();
  await new Promise((resolve) => {
    const check = () => {
      const dialog = document.querySelector('[role=dialog][aria-busy=false]');
      if (dialog) requestAnimationFrame(() => requestAnimationFrame(resolve));
      else setTimeout(check, 5);
    };
    check();
  });
  return performance.now() - t0;
}"""


PRELOAD_CSS = """() => new Promise((resolve) => {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/cdn/assets/luneo-editor.css';
  link.dataset.luneoCss = '';
  link.onload = resolve;
  document.head.appendChild(link);
})"""


def gz(*names: str) -> int:
    return sum(len(gzip.compress((ASSETS / n).read_bytes(), 9, mtime=0)) for n in names)


def make_app(workdir: Path) -> Any:
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(
        {
            "ENV": "testing",
            "SECRET_KEY": "bench-" + "x" * 40,
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": workdir / "instance",
            "STORAGE_URL": str(workdir / "files"),
            "SHOPIFY_API_SECRET": SECRET,
            "LOG_LEVEL": "WARNING",
        }
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    with app.app_context(), get_db().session() as session:
        seed_demo_shop(session, get_storage())
        session.commit()
    return app


def throttle(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", MOBILE_NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})


def one_run(browser: Any, url: str, *, warm: bool) -> float:
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    page = context.new_page()
    if warm:  # the baseline: the editor's files already in this page, not yet opened
        page.goto(url)
        page.add_script_tag(url="/cdn/assets/luneo-editor.js")
        page.evaluate(PRELOAD_CSS)
    throttle(page)
    if not warm:
        page.goto(url)
    page.wait_for_selector(".luneo-open")
    elapsed = float(page.evaluate(CLICK_TO_INTERACTIVE)) / 1000
    context.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    loader, editor, viewer = (
        gz("luneo-loader.js"),
        gz("luneo-editor.js", "luneo-editor.css"),
        gz("luneo-viewer.js"),
    )
    print(f"loader   {loader / 1024:7.1f} KB gz  budget 10 KB   ratio {loader / LOADER_BUDGET:.2f}")
    print(f"editor   {editor / 1024:7.1f} KB gz  budget 150 KB  ratio {editor / EDITOR_BUDGET:.2f}")
    print(f"viewer3d {viewer / 1024:7.1f} KB gz  (lazy: only when the 3D tab opens)")

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        product = MUG_PRODUCT_ID.rsplit("/", 1)[1]
        luneo = serve(app)  # on its own origin, as for a real store (see storefront_shim)
        luneo_url = next(luneo).replace("http://127.0.0.1:", "http://localhost:", 1)
        store = Storefront(luneo_url, DEMO_DOMAIN, SECRET, block_config(product))
        server = serve(store)
        base = next(server)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                url = f"{base}/products/mug"
                one_run(browser, url, warm=False)  # warm the server (imports, first queries)
                cold = [one_run(browser, url, warm=False) for _ in range(args.runs)]
                warm = [one_run(browser, url, warm=True) for _ in range(args.runs)]
                browser.close()
        finally:
            next(server, None)
            next(luneo, None)
    tti, base_tti = statistics.median(cold), statistics.median(warm)
    print(
        f"click → interactive (4× CPU, 150 ms RTT, 1.6 Mbps): median {tti:.3f} s "
        f"(min {min(cold):.3f}, max {max(cold):.3f}, {args.runs} runs)  budget 1.5 s  "
        f"ratio {tti / INTERACTIVE_BUDGET:.2f}"
    )
    print(
        f"baseline, editor already in the page: median {base_tti:.3f} s  "
        f"→ cold / baseline {tti / base_tti:.2f}"
    )


if __name__ == "__main__":
    main()
