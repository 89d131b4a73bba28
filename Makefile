# Digits Under the Hood. The README's two commands:
#   make lab    set up (once), make sure the data is there, start JupyterLab on the contents
#   make test   set up (once), run the whole test suite (what .ci/run calls)
# Also: make data, make notebooks (regenerate headers), make run-notebooks (execute + save).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NB     ?= notebooks/*.ipynb

.PHONY: lab test env data notebooks run-notebooks clean-env

env: $(STAMP)

# The environment: a project-local virtualenv with exactly environment.yml's pip list.
# Rebuilt when environment.yml or pyproject.toml change.
$(STAMP): environment.yml pyproject.toml tools/deps.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	  { echo "Python 3.10 or newer is needed (found $$($(PYTHON) --version)); set PYTHON=python3.11"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) tools/deps.py > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
	  || $(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

data: env
	$(PY) -m helpers.data all

lab: env data
	$(PY) -m jupyter lab --ServerApp.answer_yes=True notebooks/00_index.ipynb

test: env data
	$(PY) -m pytest tests
	$(PY) -m pytest --nbval notebooks/

notebooks: env
	$(PY) tools/notebooks.py

run-notebooks: env
	$(PY) tools/execute.py $(NB)

clean-env:
	rm -rf $(VENV)
