"""Plots and the HTML report; the report is opened in headless Chromium when one is installed."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from suites import report
from tests.suites.helpers import run_tiny_suite

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    machines = ("machines:\n  - machine: sa\n    grid: {num_sweeps: [20, 200]}\n"
                "  - machine: dwave-greedy")
    summary = run_tiny_suite(tmp_path_factory.mktemp("report"), "tiny",
                             {"m10": (10, 1), "m40": (40, 2)}, machines)
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


def test_report_leads_with_the_verdict_and_the_fits(finished_run):
    text = (finished_run / "report.html").read_text()
    verdict_at, fits_at, figures_at = (text.index(f"<h2>{h}</h2>") for h in
                                      ("Verdict", "Fits the machine?", "Figures"))
    assert verdict_at < fits_at < figures_at < text.index("<h2>All results</h2>")
    headline = text[verdict_at:fits_at]
    for problem in ("m10", "m40"):
        assert f"<h3>{problem} <span class='note'>(" in headline
    sentences = re.findall(r"<p class='sentence'>([^<]+)</p>", headline)
    assert len(sentences) >= 2 and all(" reaches the " in s or "No configuration" in s
                                       for s in sentences[:1])
    assert "assumed clock" in headline and "TTS99, wall clock [95% CI]" in headline
    assert "<table class='sortable fits'>" in text[fits_at:figures_at]
    assert "p_s_low" not in text and "t_read_model_s" not in text  # no raw field names
    # the plain-text verdict says the same sentences
    plain = report.text_report(finished_run)
    assert plain.startswith("Verdict: tiny")
    assert all(html.unescape(s) in plain for s in sentences)
    assert "Fits the machine: yes for all 4 problem × machine pairs." in plain


def _browser() -> str | None:
    for name in BROWSERS:
        if shutil.which(name):
            return shutil.which(name)
    return None


#: Measures every table, counts the headline's parts and sorts the QUBO results table by
#: clicking its headers (Problem twice: descending; then Best energy once: ascending).
_TABLE_PROBE = """<script>window.addEventListener('load', () => {
  const vw = document.documentElement.clientWidth;
  const tables = Array.from(document.querySelectorAll('table')).map((t) => {
    const r = t.getBoundingClientRect(); return [Math.ceil(r.width), Math.ceil(r.right)]; });
  const table = Array.from(document.querySelectorAll('table.sortable')).find((t) =>
    t.tHead.rows[0].cells[0].textContent === 'Problem' && t.tHead.textContent.includes('TTS99'));
  const header = (label) => Array.from(table.tHead.rows[0].cells).find((th) =>
    th.textContent.startsWith(label));
  const column = (label) => { const i = header(label).cellIndex;
    return Array.from(table.tBodies[0].rows).map((row) => row.cells[i]); };
  const before = column('Problem').map((c) => c.textContent);
  header('Problem').click(); header('Problem').click();
  const descending = column('Problem').map((c) => c.textContent);
  header('Best energy').click();
  const ascendingEnergy = column('Best energy').map((c) => Number(c.dataset.sort));
  document.body.setAttribute('data-probe', JSON.stringify({
    viewport: window.innerWidth, pageWidth: document.documentElement.scrollWidth, tables,
    before, descending, ascendingEnergy, ariaSort: header('Best energy').getAttribute('aria-sort'),
    sentences: document.querySelectorAll('#verdict .sentence').length,
    rankings: document.querySelectorAll('#verdict table.ranking').length,
    fitCells: document.querySelectorAll('#fits td.fit-yes, #fits td.fit-no').length}));
  void vw;
});</script>"""


def test_report_renders_in_headless_chromium(finished_run, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium/Chrome found on PATH (Debian: apt-get install chromium; "
                    ".ci/install-browser does it)")
    page_html = (finished_run / "report.html").read_text()
    n_images = page_html.count("<img ")
    # a copy of the report that writes each image's decoded size into the DOM once loaded,
    # then measures the tables and sorts one by clicking its headers
    probe = page_html.replace("</body>", (
        "<script>window.addEventListener('load', () => { for (const img of "
        "document.images) { img.setAttribute('data-decoded', img.naturalWidth + 'x' + "
        "img.naturalHeight); } document.body.setAttribute('data-loaded', 'yes'); });"
        "</script>" + _TABLE_PROBE + "</body>"))
    page = tmp_path / "probe.html"
    page.write_text(probe)
    profile = tmp_path / "profile"
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}",
             "--virtual-time-budget=5000"]
    out = subprocess.run([*flags, "--window-size=1400,2000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    dom = out.stdout
    assert 'data-loaded="yes"' in dom, out.stderr[-2000:]
    sizes = re.findall(r'data-decoded="(\d+)x(\d+)"', dom)
    assert len(sizes) == n_images > 0
    assert all(int(w) > 100 and int(h) > 100 for w, h in sizes), sizes
    found = re.search(r'data-probe="([^"]+)"', dom)
    assert found, out.stderr[-2000:]
    probe = json.loads(html.unescape(found.group(1)))
    # the headline, with a ranking per problem, and the fit table are on the page
    assert probe["sentences"] >= 2 and probe["rankings"] == 2 and probe["fitCells"] == 4
    # nothing is wider than the page at 1,400 px: no table, and the page does not scroll
    assert probe["pageWidth"] <= probe["viewport"] == 1400, probe
    assert probe["tables"] and all(w <= probe["viewport"] and right <= probe["viewport"]
                                   for w, right in probe["tables"]), probe
    # clicking a header sorts: Problem descending, then Best energy ascending
    before, descending = probe["before"], probe["descending"]
    assert before != descending and descending == sorted(before, reverse=True), probe
    assert probe["ascendingEnergy"] == sorted(probe["ascendingEnergy"]), probe
    assert probe["ariaSort"] == "ascending"
    # and a screenshot of the real report is not blank
    shot = tmp_path / "shot.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,2400",
                    (finished_run / "report.html").as_uri()], capture_output=True, timeout=120)
    assert shot.exists()
    from PIL import Image

    pixels = Image.open(shot).convert("L")
    lo, hi = pixels.getextrema()
    assert hi - lo > 100, "the screenshot is blank"
