# Digits Under the Hood. The README's two commands:
#   make lab    set up (once), make sure the data is there, start JupyterLab on the contents
#   make test   set up (once), run the whole test suite (what .ci/run calls)
# Also: make data, make notebooks (regenerate headers), make run-notebooks (execute + save), make bench, make sweep,
#       make colab-env / test-colab (the Colab-like environment), make browser-deps.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NB     ?= notebooks/*.ipynb
# The Colab-like test environment: Python 3.13 (pyenv has it on the project's machines).
COLAB_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(shell command -v python3.13))
COLAB_VENV   ?= .venv-colab
COLAB_PY     := $(COLAB_VENV)/bin/python

.PHONY: lab test env data notebooks run-notebooks bench sweep clean-env colab-env test-colab browser-deps

env: $(STAMP)

# The environment: a project-local virtualenv with exactly environment.yml's pip list.
# Rebuilt when environment.yml or pyproject.toml change.
$(STAMP): environment.yml pyproject.toml tools/deps.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (the helpers read TOML with tomllib) (found $$($(PYTHON) --version)); set PYTHON=python3.11"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) tools/deps.py > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
	  || $(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

data: env
	$(PY) -m helpers.data all

lab: env data
	$(PY) -m jupyter lab --ServerApp.answer_yes=True $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_index.ipynb

# The three set-ups do not depend on each other, so they run side by side (mostly waiting on pip and apt).
test:
	@$(MAKE) --no-print-directory -j3 env colab-env browser-deps
	@$(MAKE) --no-print-directory data
	$(PY) -m ruff check helpers tools tests
	$(PY) -m pytest tests
	$(PY) -m pytest --nbval notebooks/
	$(MAKE) --no-print-directory test-colab

# Colab ships ipywidgets 7.7.1, torch 2.11 and fastai 2.8.8 on Python 3.13: the widget tests run
# there too, and every notebook must execute top to bottom there without error.
colab-env: $(COLAB_VENV)/.installed
$(COLAB_VENV)/.installed: tests/colab-requirements.txt
	@test -n "$(COLAB_PYTHON)" || { echo "Python 3.13 is needed for the Colab-like tests: set COLAB_PYTHON=/path/to/python3.13"; exit 1; }
	@test -x $(COLAB_PY) || $(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_PY) -m pip install --quiet --disable-pip-version-check -r tests/colab-requirements.txt
	@touch $@

test-colab: colab-env data
	$(COLAB_PY) -m pytest -o addopts="-p no:cacheprovider" -m widgets tests
	$(COLAB_PY) tools/execute.py --no-save notebooks/*.ipynb

# The browser test drives JupyterLab in Debian's Chromium (Playwright cannot download browsers
# here). Installed with apt-get when missing and we are root (CI is); otherwise says how.
browser-deps:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser test (it is skipped without it)"; fi; }

notebooks: env
	$(PY) tools/notebooks.py

run-notebooks: env
	$(PY) tools/execute.py $(NB)

# Time every notebook (fresh kernels, medians), the widgets' frame times and the classic fastai
# ResNet18 path, then run the robustness sweep; writes bench/latest.md, bench/sweep.md and the README.
bench: env data
	$(PY) tools/bench.py

# The robustness sweep alone (README: Robustness sweep): every trained checkpoint over 5 seeds x {1, 2} threads,
# through the notebooks' own code; bench/sweep.md, bench/sweep.json, the README. SWEEP_ARGS="--only 07_relu_net".
sweep: env data
	$(PY) tools/sweep.py $(SWEEP_ARGS)

clean-env:
	rm -rf $(VENV) $(COLAB_VENV)
