"""helpers/pixels.py: the pixel explorer, tested by setting widget values (no kernel needed)."""
import torch
import pytest

from helpers.pixels import PixelExplorer, pixel_table_html, region_code

pytestmark = pytest.mark.widgets


@pytest.fixture
def stack():
    g = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (12, 28, 28), dtype=torch.uint8, generator=g)


def test_region_code():
    assert region_code("threes", 3, (4, 10), (5, 12)) == "threes[3, 4:10, 5:12]"


def test_table_shows_the_values_with_image_coordinates():
    html = pixel_table_html(torch.tensor([[0, 255], [128, 7]], dtype=torch.uint8), row0=4, col0=10)
    cells = [c.split(">")[-1] for c in html.split("</td>")[:-1]]
    assert cells == ["0", "255", "128", "7"]
    assert ">10</th>" in html and ">11</th>" in html and ">4</th>" in html and ">5</th>" in html
    assert "rgb(255,255,255)" in html and "rgb(0,0,0)" in html  # 0 is paper, 255 is ink


def test_table_formats_floats():
    html = pixel_table_html(torch.tensor([[0.0, 0.5]]))
    assert ">0.00</td>" in html and ">0.50</td>" in html


def test_initial_state(stack):
    e = PixelExplorer(stack, name="s")
    assert e.index.max == e.number.max == 11 and e.rows.max == 28 and e.cols.max == 28
    assert "s[0, 4:12, 6:16]" in e.code.value and "(8, 10)" in e.code.value
    assert e.picture.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_moving_the_image_slider_updates_everything(stack):
    e = PixelExplorer(stack, name="s")
    before_png, before_table = e.picture.value, e.table.value
    e.index.value = 7
    assert "s[7, 4:12, 6:16]" in e.code.value
    assert torch.equal(e.selection(), stack[7, 4:12, 6:16])
    assert e.picture.value != before_png
    assert e.table.value != before_table
    assert f">{int(stack[7, 4, 6])}</td>" in e.table.value


def test_region_sliders_change_shape_and_numbers(stack):
    e = PixelExplorer(stack, name="s")
    e.rows.value, e.cols.value = (0, 3), (20, 28)
    assert "s[0, 0:3, 20:28]" in e.code.value and "(3, 8)" in e.code.value
    assert e.table.value.count("<tr>") == 1 + 3  # header + 3 rows
    e.rows.value = (5, 5)
    assert "(0, 8)" in e.code.value and "empty region" in e.table.value


def test_updates_reuse_one_figure(stack):
    import matplotlib.pyplot as plt
    e = PixelExplorer(stack)
    open_before = len(plt.get_fignums())
    fig = e.drawing.fig
    for i in range(30):
        e.index.value = i % 12
    assert e.drawing.fig is fig and len(plt.get_fignums()) == open_before


def test_snapshot_is_the_current_picture(stack):
    e = PixelExplorer(stack)
    e.index.value = 3
    assert e.snapshot().data == e.picture.value


def test_number_box_and_slider_move_together(stack):
    "With 6,131 images a slider pixel skips dozens: a number box picks one exactly, and follows the slider."
    e = PixelExplorer(stack, name="s")
    e.number.value = 9
    assert e.index.value == 9 and "s[9, 4:12, 6:16]" in e.code.value
    assert "s[9]  (indexes 0 to 11)" in e.drawing.title.get_text()
    e.index.value = 4
    assert e.number.value == 4
    assert "digits-image-number" in e.number._dom_classes and "(0 to 11)" in e.number.description


def test_the_image_slider_is_long_and_the_picture_its_own_size(stack):
    e = PixelExplorer(stack)
    assert int(e.index.layout.width.rstrip("px")) >= 500 and not e.index.readout  # the box is its readout
    assert e.picture.layout.width == "720px"
