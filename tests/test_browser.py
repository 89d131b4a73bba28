"""A real browser: JupyterLab in headless Chromium (Debian's package, driven by Playwright), runs a
notebook, moves a widget's slider and checks that the picture changed, then tries each widget as a new
user would (labelled buttons, arrow keys, a picture that neither stretches nor jumps). Screenshots are
saved in test-output/browser/.

The notebooks are copied to a temporary folder first: JupyterLab saves what it runs, and the
committed notebooks must keep their own outputs.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "digits-browser-test"

# notebook, the control to set (CSS class of a slider or a number box), the picture that must change
# (CSS class), new value
CASES = [
    ("01_pixels.ipynb", "digits-image-number", "digits-explorer-picture", "42"),
    ("03_gradient_descent.ipynb", "digits-lr-slider", "digits-lr-picture", "0.5"),
    ("07_relu_net.ipynb", "digits-relu-slider", "digits-relu-picture", "-1"),
]


CHOICES = {"digits-lr-slider"}  # sliders of choices (SelectionSlider): moved with the arrow keys, not typed into


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
            if proc.poll() is not None:
                break
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


def open_and_run(browser, lab, name):
    """A new page with notebook `name` open in JupyterLab and all its cells run; and the list its JavaScript
    errors go to."""
    OUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{lab}/lab/tree/notebooks/{name}?reset&token={TOKEN}")
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    run_all(page)
    return page, errors


def run_all(page):
    "Run → Run All Cells, through JupyterLab's own menu."
    accept_kernel_dialog(page)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()


def set_slider(page, css_class, value):
    """Type a value into a number box, or into a slider's readout, as a student can (ipywidgets 7 and 8);
    a slider of choices, whose readout takes no typing, is moved with the arrow keys."""
    box = page.locator(f".{css_class} input")
    field = box.first if box.count() else page.locator(f".{css_class} .widget-readout").first
    if css_class in CHOICES:
        page.locator(f".{css_class} .noUi-handle, .{css_class} .ui-slider-handle").first.focus()
        for _ in range(100):
            now = shown_value(page, css_class)
            if now == float(value):
                return
            page.keyboard.press("ArrowRight" if now < float(value) else "ArrowLeft")
            page.wait_for_timeout(30)
        raise AssertionError(f"the arrow keys did not bring .{css_class} to {value}")
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def shown_value(page, css_class):
    "The number a number box or a slider's readout shows."
    box = page.locator(f".{css_class} input")
    text = box.first.input_value() if box.count() else page.locator(f".{css_class} .widget-readout").first.inner_text()
    return float(text.replace("\u2212", "-"))  # a typographic minus


def changes_picture(page, img, action):
    "Do `action` and wait until the picture `img` shows its new frame."
    src = img.get_attribute("src")
    action()
    page.wait_for_function("([el, src]) => el.getAttribute('src') !== src && el.complete",
                           arg=[img.element_handle(), src], timeout=30_000)


def settle(page, img, quiet_ms=800):
    "Wait until the picture has not changed for `quiet_ms` (the kernel has drawn every queued update)."
    page.wait_for_function("""([el, ms]) => {
        const now = Date.now();
        if (el.dataset.seen !== el.getAttribute('src')) {
            el.dataset.seen = el.getAttribute('src'); el.dataset.since = now; }
        return el.complete && now - Number(el.dataset.since) > ms; }""", arg=[img.element_handle(), quiet_ms],
        polling=100, timeout=60_000)


def top_in(box, img):
    "How far the picture sits below the top of its widget, in pixels."
    return round(img.bounding_box()["y"] - box.bounding_box()["y"], 1)


def own_size(img):
    "The picture's width on the page and in its own pixels."
    return img.evaluate("el => [Math.round(el.getBoundingClientRect().width), el.naturalWidth]")


def try_pixel_explorer(page, img):
    "01: the image slider is long enough to sweep 6,131 images, the picture is not stretched."
    box = page.locator(".digits-pixel-explorer").first
    assert box.locator(".digits-image-slider").first.bounding_box()["width"] >= 500
    width, natural = own_size(img)
    assert width == natural, f"the picture is stretched from {natural} to {width} px"


def try_learning_rate(page, img):
    "03: Play's buttons say what they do, arrow keys move the rate visibly, a long verdict moves nothing."
    box = page.locator(".digits-lr-explorer").first
    words = box.evaluate("el => [...el.querySelectorAll('.digits-play button')].filter(b => b.offsetWidth)"
                         ".map(b => getComputedStyle(b.querySelector('i'), '::after').content)")
    assert '"play"' in words and '"stop"' in words and len(words) in (2, 3), f"Play's buttons: {words}"
    width, natural = own_size(img)
    assert width == natural, f"the picture is stretched from {natural} to {width} px"
    top = top_in(box, img)
    for lr in ["0.001", "10", "0.9"]:  # the longest verdict, a two-line one, a short one
        changes_picture(page, img, lambda: set_slider(page, "digits-lr-slider", lr))
        settle(page, img)
        assert top_in(box, img) == top, f"the picture moved when the verdict changed (lr {lr})"
        page.screenshot(path=str(OUT / f"03_gradient_descent-lr-{lr}.png"))
    box.locator(".digits-lr-slider .noUi-handle, .digits-lr-slider .ui-slider-handle").first.focus()
    for _ in range(5):
        changes_picture(page, img, lambda: page.keyboard.press("ArrowRight"))
    assert shown_value(page, "digits-lr-slider") == 2.5, "five arrow presses from 0.9 should reach 2.5"
    settle(page, img)
    page.screenshot(path=str(OUT / "03_gradient_descent-arrows.png"))


def try_relu_sum(page, img):
    "07: the picture is shown at its own size, and a long formula (below it) never pushes it down."
    box = page.locator(".digits-relu-sum").first
    width, natural = own_size(img)
    assert width == natural, f"the picture is stretched from {natural} to {width} px"
    top = top_in(box, img)
    for _ in range(12):
        changes_picture(page, img, lambda: box.locator("button", has_text="add a piece").first.click())
    changes_picture(page, img, lambda: box.locator("button", has_text="fit the slopes").first.click())
    assert top_in(box, img) == top, "the picture moved when the formula grew"
    page.screenshot(path=str(OUT / "07_relu_net-long-formula.png"))


TRY = {"01_pixels.ipynb": try_pixel_explorer, "03_gradient_descent.ipynb": try_learning_rate,
       "07_relu_net.ipynb": try_relu_sum}


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
    assert shown_value(page, slider) == float(value)
    TRY[notebook](page, img)
    assert not page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count(), \
        "a cell wrote to stderr in the browser"
    assert not errors, f"JavaScript errors in the page: {errors[:3]}"
    page.close()


def test_flashcards_flip_and_rate(lab, browser):
    "11_review: run it, flip the first card and rate it 3; the answer shows, the deck moves on, the rating is saved."
    import json
    page, errors = open_and_run(browser, lab, "11_review.ipynb")
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
    page.screenshot(path=str(OUT / "11_review-flipped.png"))

    deck.locator(".digits-rate-3").first.click()
    page.wait_for_function("([el, text]) => el.innerText !== text", arg=[status.element_handle(), first_status],
                           timeout=30_000)
    total = int(first_status.split()[0])
    assert status.inner_text().startswith(f"{total - 1} cards left") and "card 2 of" in status.inner_text()
    assert question.inner_text() != first_question and not answer.inner_text().strip()
    deck.screenshot(path=str(OUT / "11_review-widget.png"))
    page.screenshot(path=str(OUT / "11_review-after.png"))
    saved = urllib.request.urlopen(f"{lab}/api/contents/flashcards.json?token={TOKEN}&content=1", timeout=10)
    ratings = json.loads(json.loads(saved.read())["content"])["cards"]
    assert {k: v["rating"] for k, v in ratings.items()} == {"grayscale-vs-colour": 3}
    assert not page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count(), \
        "a cell wrote to stderr in the browser"
    assert not errors, f"JavaScript errors in the page: {errors[:3]}"
    page.close()


CANVAS_NOTEBOOK = "10_your_own_digits.ipynb"
CANVAS_STAND_IN = "DIGITS_CANVAS_NOTEBOOK"  # a notebook with the same contract, to try this test before 10 exists


INK = """el => { const d = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
    let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++; return n; }"""  # lit pixels


def canvas_ink(canvas):
    "How many of the canvas's own pixels are lit (the front end draws white ink on black)."
    return canvas.evaluate(INK)


def draw(page, canvas, points, steps=6):
    "One stroke with the mouse through `points`, given as fractions of the canvas's width and height."
    box = canvas.bounding_box()
    def at(p):
        return (box["x"] + p[0] * box["width"], box["y"] + p[1] * box["height"])
    page.mouse.move(*at(points[0]))
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*at(p), steps=steps)
    page.mouse.up()


def test_draw_a_digit_on_the_canvas(request):
    """10_your_own_digits: run it, draw a 7 in two strokes on the canvas with the mouse; the preview
    changes and the models say what they read. Undo takes back the last stroke on the canvas."""
    import json
    import re
    source = Path(os.environ.get(CANVAS_STAND_IN) or ROOT / "notebooks" / CANVAS_NOTEBOOK)
    if not source.is_file():
        pytest.skip(f"{source.name} does not exist yet (or set {CANVAS_STAND_IN} to a stand-in)")
    lab, browser = request.getfixturevalue("lab"), request.getfixturevalue("browser")
    if os.environ.get(CANVAS_STAND_IN):  # put the stand-in where the notebook will be, next to the others
        body = json.dumps({"type": "notebook", "format": "json", "content": json.loads(source.read_text())})
        urllib.request.urlopen(urllib.request.Request(
            f"{lab}/api/contents/notebooks/{CANVAS_NOTEBOOK}", data=body.encode(), method="PUT",
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}), timeout=30)
    page, errors = open_and_run(browser, lab, CANVAS_NOTEBOOK)
    live = page.locator(".digits-live").first   # the live panel of section 8 (section 2 has a canvas of its own)
    live.wait_for(state="attached", timeout=180_000)
    canvas = live.locator(".digits-canvas canvas").first
    canvas.wait_for(state="attached", timeout=180_000)
    canvas.scroll_into_view_if_needed()
    canvas.wait_for(state="visible", timeout=30_000)
    img = live.locator(".digits-preview").first   # empty until the first stroke
    prediction = live.locator(".digits-prediction").first
    img.wait_for(state="attached", timeout=30_000)
    before_src = img.get_attribute("src")
    assert canvas_ink(canvas) == 0, "the canvas should start empty"

    draw(page, canvas, [(0.25, 0.2), (0.5, 0.2), (0.75, 0.2)])   # a 7: the bar,
    draw(page, canvas, [(0.73, 0.22), (0.6, 0.5), (0.45, 0.85)])  # then the stem
    page.wait_for_function("el => /reads it as \\d/.test(el.innerText)", arg=prediction.element_handle(),
                           timeout=60_000)
    page.wait_for_function("([el, src]) => el.getAttribute('src') !== src && el.complete",
                           arg=[img.element_handle(), before_src], timeout=30_000)
    assert re.search(r"reads it as \d", prediction.inner_text())
    both = canvas_ink(canvas)
    assert both > 1000, f"the canvas shows only {both} lit pixels after two strokes"
    live.screenshot(path=str(OUT / "10_your_own_digits-widget.png"))
    page.screenshot(path=str(OUT / "10_your_own_digits-drawn.png"))

    live.locator(".digits-canvas button", has_text="Undo").first.click()
    page.wait_for_function(f"([el, n]) => {{ const k = ({INK})(el); return 0 < k && k < n; }}",
                           arg=[canvas.element_handle(), both], timeout=30_000)
    assert not page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count(), \
        "a cell wrote to stderr in the browser"
    assert not errors, f"JavaScript errors in the page: {errors[:3]}"
    page.close()
