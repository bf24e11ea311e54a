# Two commands for a fresh clone:  `make play`  and  `make test`.
# Each creates .venv when it is missing and installs the project into it; a second run
# only checks a stamp file and is quick. TORCH pins the CPU build by default so a CPU
# machine never downloads CUDA packages; override it: make play TORCH=torch==2.13.0+cu128
PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: play test bench setup clean-venv layers

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

play: $(STAMP)
	$(VENV)/bin/playground play $(ARGS)

test: $(STAMP)
	$(PY) tools/check_layers.py
	$(PY) tools/check_docs.py
	TRITON_INTERPRET=1 SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(VENV)/bin/playground bench $(ARGS)

clean-venv:
	rm -rf $(VENV)
