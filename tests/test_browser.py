"""A real browser: JupyterLab in headless Chromium (Debian's package, driven by Playwright), runs a
notebook, moves a widget's slider and checks that the picture changed. Screenshots are saved in
test-output/browser/.

The notebooks are copied to a temporary folder first: JupyterLab saves what it runs, and the
committed notebooks must keep their own outputs.
"""
import os, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "digits-browser-test"

# notebook, the slider to move (CSS class), the picture that must change (CSS class), new value
CASES = [
    ("01_pixels.ipynb", "digits-image-slider", "digits-explorer-picture", "42"),
    ("03_gradient_descent.ipynb", "digits-lr-slider", "digits-lr-picture", "0.05"),
    ("07_relu_net.ipynb", "digits-relu-slider", "digits-relu-picture", "-1"),
]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: `make browser-deps` installs it (as root).")
        pytest.skip("Chromium is not installed (sudo apt-get install chromium)")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "helpers", root / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    port = _free_port()
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}", "--allow-root",
         f"--LabApp.workspaces_dir={root / 'workspaces'}"],
        stdout=log, stderr=subprocess.STDOUT, cwd=root,
        env=dict(os.environ, DIGITS_FLASHCARDS_FILE=str(root / "flashcards.json")))  # never the real home's
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None: break
            time.sleep(0.5)
    if proc.poll() is not None or _ == 119:
        proc.kill()
        pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def accept_kernel_dialog(page):
    "JupyterLab may ask which kernel to use (a slow start under load): take the one it proposes."
    try:
        page.locator(".jp-Dialog .jp-mod-accept").click(timeout=5_000)
    except Exception:
        pass  # no dialog


def run_all(page):
    "Run → Run All Cells, through JupyterLab's own menu."
    accept_kernel_dialog(page)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()


def set_slider(page, slider_class, value):
    "Type a value into the slider's readout, as a student can (works in ipywidgets 7 and 8)."
    readout = page.locator(f".{slider_class} .widget-readout").first
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("notebook,slider,picture,value", CASES, ids=[c[0] for c in CASES])
def test_run_notebook_and_move_a_slider(lab, browser, notebook, slider, picture, value):
    OUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{lab}/lab/tree/notebooks/{notebook}?reset&token={TOKEN}")  # reset: no other open tabs
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    run_all(page)
    img = page.locator(f".{picture}").first  # the live widget (a notebook may show others after it)
    img.wait_for(state="attached", timeout=180_000)  # cells off screen are not rendered in full
    img.scroll_into_view_if_needed()
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=img.element_handle(), timeout=30_000)
    before_src, before_png = img.get_attribute("src"), img.screenshot()
    page.screenshot(path=str(OUT / f"{notebook[:-6]}-before.png"))

    set_slider(page, slider, value)
    page.wait_for_function("([el, src]) => el.getAttribute('src') !== src && el.complete",
                           arg=[img.element_handle(), before_src], timeout=30_000)
    page.wait_for_timeout(300)
    after_png = img.screenshot()
    img.screenshot(path=str(OUT / f"{notebook[:-6]}-widget.png"))
    page.screenshot(path=str(OUT / f"{notebook[:-6]}-after.png"))
    assert after_png != before_png, "the picture did not change when the slider moved"
    shown = page.locator(f".{slider} .widget-readout").first.inner_text().replace("\u2212", "-")  # a typographic minus
    assert float(shown) == float(value)
    assert not page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count(), \
        "a cell wrote to stderr in the browser"
    assert not errors, f"JavaScript errors in the page: {errors[:3]}"
    page.close()


def test_flashcards_flip_and_rate(lab, browser):
    "10_review: run it, flip the first card and rate it 3; the answer shows, the deck moves on, the rating is saved."
    import json
    OUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{lab}/lab/tree/notebooks/10_review.ipynb?reset&token={TOKEN}")
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    run_all(page)
    deck = page.locator(".digits-deck").first
    deck.wait_for(state="attached", timeout=180_000)
    deck.scroll_into_view_if_needed()
    question, answer = deck.locator(".digits-card-question").first, deck.locator(".digits-card-answer").first
    status = deck.locator(".digits-deck-status").first
    page.wait_for_function("el => el.innerText.includes('cards left')", arg=status.element_handle(), timeout=30_000)
    first_question, first_status = question.inner_text(), status.inner_text()
    assert "cards left · 0 rated low · card 1 of" in first_status and not answer.inner_text().strip()

    deck.locator(".digits-flip").first.click()
    page.wait_for_function("el => el.innerText.trim().length > 0", arg=answer.element_handle(), timeout=30_000)
    assert answer.is_visible() and "channel" in answer.inner_text()
    page.screenshot(path=str(OUT / "10_review-flipped.png"))

    deck.locator(".digits-rate-3").first.click()
    page.wait_for_function("([el, text]) => el.innerText !== text", arg=[status.element_handle(), first_status],
                           timeout=30_000)
    total = int(first_status.split()[0])
    assert status.inner_text().startswith(f"{total - 1} cards left") and "card 2 of" in status.inner_text()
    assert question.inner_text() != first_question and not answer.inner_text().strip()
    deck.screenshot(path=str(OUT / "10_review-widget.png"))
    page.screenshot(path=str(OUT / "10_review-after.png"))
    saved = urllib.request.urlopen(f"{lab}/api/contents/flashcards.json?token={TOKEN}&content=1", timeout=10)
    ratings = json.loads(json.loads(saved.read())["content"])["cards"]
    assert {k: v["rating"] for k, v in ratings.items()} == {"grayscale-vs-colour": 3}
    assert not page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count(), \
        "a cell wrote to stderr in the browser"
    assert not errors, f"JavaScript errors in the page: {errors[:3]}"
    page.close()
