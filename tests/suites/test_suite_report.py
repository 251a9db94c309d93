"""Plots and the HTML report; the report is opened in headless Chromium when one is installed."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from suites import report
from suites.runner import run_suite
from suites.spec import load_suite
from tests.suites.helpers import suite_text, write_model

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    models = {"m10": write_model(tmp / "m10.json", 10, 1),
              "m40": write_model(tmp / "m40.json", 40, 2)}
    machines = ("machines:\n  - machine: sa\n    grid: {num_sweeps: [20, 200]}\n"
                "  - machine: dwave-greedy")
    path = tmp / "tiny.yaml"
    path.write_text(suite_text(models, machines=machines))
    summary = run_suite(load_suite(path), tmp / "results", workers=1, progress=False)
    assert summary.ok
    report.write_report(summary.run_dir)
    return summary.run_dir


def test_report_embeds_every_figure_and_the_tables(finished_run):
    text = (finished_run / "report.html").read_text()
    figures = sorted(p.stem for p in (finished_run / "figures").glob("*.png"))
    # sa records traces, so convergence figures exist next to TTS, p_s and the heat map
    assert {"convergence_steps", "convergence_seconds", "tts_wall", "success_probability",
            "heatmap", "residual_vs_size"} <= set(figures)
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"',
                        text)
    assert sorted(name for name, _ in images) == figures
    assert all(len(data) > 1000 for _, data in images)
    assert "src=\"http" not in text and "<link" not in text  # self-contained
    assert "ground_state" in text and "best_seen" in text   # target sources are named
    assert "Machines with convergence traces: sa" in text


def _browser() -> str | None:
    for name in BROWSERS:
        if shutil.which(name):
            return shutil.which(name)
    return None


def test_report_renders_in_headless_chromium(finished_run, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium/Chrome found on PATH (Debian: apt-get install chromium; "
                    ".ci/install-browser does it)")
    html = (finished_run / "report.html").read_text()
    n_images = html.count("<img ")
    # a copy of the report that writes each image's decoded size into the DOM once loaded
    probe = html.replace("</body>", (
        "<script>window.addEventListener('load', () => { for (const img of "
        "document.images) { img.setAttribute('data-decoded', img.naturalWidth + 'x' + "
        "img.naturalHeight); } document.body.setAttribute('data-loaded', 'yes'); });"
        "</script></body>"))
    page = tmp_path / "probe.html"
    page.write_text(probe)
    profile = tmp_path / "profile"
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}",
             "--virtual-time-budget=5000"]
    out = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120)
    dom = out.stdout
    assert 'data-loaded="yes"' in dom, out.stderr[-2000:]
    sizes = re.findall(r'data-decoded="(\d+)x(\d+)"', dom)
    assert len(sizes) == n_images > 0
    assert all(int(w) > 100 and int(h) > 100 for w, h in sizes), sizes
    # and a screenshot of the real report is not blank
    shot = tmp_path / "shot.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,2400",
                    (finished_run / "report.html").as_uri()], capture_output=True, timeout=120)
    assert shot.exists()
    from PIL import Image

    pixels = Image.open(shot).convert("L")
    lo, hi = pixels.getextrema()
    assert hi - lo > 100, "the screenshot is blank"
