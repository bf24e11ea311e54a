# Two commands for a fresh clone:  `make play`  and  `make test`.
# Each creates .venv when it is missing and installs the project into it; a second run
# only checks a stamp file and is quick. TORCH is the PyTorch requirement and TORCH_INDEX
# the package index it comes from (PyTorch's documented way of choosing a build):
#   make play                                                      # PyPI: CUDA build on Linux, CPU elsewhere
#   make play TORCH_INDEX=https://download.pytorch.org/whl/cpu     # CPU only (no CUDA packages)
#   make play TORCH_INDEX=https://download.pytorch.org/whl/cu128   # a chosen CUDA version
PYTHON ?= python3
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: play test bench setup clean-venv layers

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
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
