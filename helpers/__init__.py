"""The small package the notebooks import. Which module does what, and where it is taught:

setup        every notebook's setup cell: seed, device, data, one-line errors for cells run out of order
data         MNIST_SAMPLE and full MNIST built offline in fastai's layout (rawfiles: the four raw files
             and where they come from; manifest: each built folder checked against what was built)
drawing      the one drawing base of every widget picture (Blitter, PictureWidget, frame_times)
pixels       01: the pixel explorer
broadcast    02: broadcasting as a picture
gd           03: gradient descent on x², a line and a quadratic, still figures (gd_widgets: its widgets)
learner      06: our own Learner, reused in 09
relu         07: the sum-of-ReLUs widget
speed        08: measure training settings (precision, memory layout, threads) and choose; reused in 09
flashcards   11 (now 11_review): the deck (progress: its saved ratings and schedule; cards.toml: the cards)
checks       every self-check, gathered: comparators here; verdict (what a check returns), checkpoint
             (check_accuracy 05-09, check_exact 02), exercise_checks and loop_checks (the Try-it
             exercises), solutions (hints and worked solutions on request, solutions.toml)
"""
