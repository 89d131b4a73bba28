"""Warnings a student cannot act on, raised inside libraries the notebooks use (not by their code), and
the one switch that hides them: every notebook's setup cell, the data builder's command line, the
set-up self-check and the tools call it. Imports nothing of this package, so any module can use it.
"""
import warnings

KNOWN_NOISE = [
    (FutureWarning, r"`torch.jit.script` is deprecated"),  # fastai's layers use it at import time
]


def quiet_library_warnings():
    "Hide the warnings in KNOWN_NOISE; every other warning still shows."
    for category, message in KNOWN_NOISE:
        warnings.filterwarnings("ignore", message=message, category=category)
