"""The small package the notebooks import. Which module does what, and where it is taught:

setup        every notebook's setup cell: seed, device, data, one-line errors for cells run out of order
noise        the library warnings a student cannot act on, hidden (setup, data, selfcheck and tools call it)
data         MNIST_SAMPLE and full MNIST built offline in fastai's layout (rawfiles: the four raw files
             and where they come from; manifest: each built folder checked against what was built;
             folders: a folder moved into place or aside, never deleting what we did not build)
drawing      the one drawing base of every widget picture (Blitter, PictureWidget, frame_times)
pixels       01: the pixel explorer
broadcast    02: broadcasting as a picture
gd           03: gradient descent on x², a line and a quadratic, still figures (gd_widgets: its widgets)
learner      06: our own Learner, reused in 09
relu         07: the sum-of-ReLUs widget
speed        08: measure training settings (precision, memory layout, threads) and choose; reused in 09
decoded      09: a folder of images decoded once and kept beside the data folder for later runs; 10 via ladder
padding      08: convolutions on images smaller than their window as one matrix product (skip_padding), and
             the weights that only ever meet padding dropped (drop_padding_weights); ladder uses it for 10
selfcheck    00: the set-up self-check (where you run, versions, device, memory, data, widgets)
canvas       10: the drawing canvas (anywidget; canvas.js is its front end)
handwriting  10: a drawing or a photo prepared as MNIST made its digits (crop, 20×20, centre of mass)
ladder       10: every model of the series trained again, and what each says of one image
judge_widgets 10: the live panel (canvas → preview → every model), upload and pick-a-test-image
flashcards   11_review: the deck (progress: its saved ratings and schedule; cards: reads cards.toml, the
             cards and glossary terms, for the deck and for tools/notebooks.py)
checks       every self-check, gathered: comparators here; verdict (what a check returns), checkpoint
             (check_accuracy 05-09, check_exact 02), exercise_checks and loop_checks (the Try-it
             exercises), solutions (hints and worked solutions on request, solutions.toml)

Backlinks: the docstring of every public function or class that a notebook imports ends with one line
naming, in series order, each notebook that uses it (wrapped onto a second line when it is long):

    Used in: 03_gradient_descent, 05_minibatches.

A helper that a notebook reaches only through another helper may carry the line too, and then it must
be right; a helper that only tools/ and tests/ use may end with `Used in: tools only.` instead.
`python tools/notebooks.py --check` (tools/backlinks.py) fails when a line misses a notebook that uses
the helper or lists one that does not.
"""
