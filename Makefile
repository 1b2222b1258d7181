# integrity-archive — two set-up commands on a fresh Debian 12 machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEBIAN_PACKAGES := python3-venv fonts-arphic-uming tesseract-ocr tesseract-ocr-chi-tra tesseract-ocr-eng
# the browser tests and screenshots drive Debian's chromium (Playwright never downloads one)
TEST_DEBIAN_PACKAGES := chromium
SAMPLE_DIR := build/sample-corpus
HOST ?= 127.0.0.1
PORT ?= 8000
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 60

.PHONY: run test test-packages screenshots setup system-packages sample ingest serve bench bench-1m env-example clean es-up es-test es-down reliability

run: setup sample ingest serve ## build the sample corpus, ingest it, serve http://127.0.0.1:8000

test: setup test-packages ## install everything and run the whole test suite
	$(BIN)/python -m pytest

test-packages:
	@$(MAKE) --no-print-directory system-packages DEBIAN_PACKAGES="$(TEST_DEBIAN_PACKAGES)"

screenshots: setup test-packages ## regenerate docs/screenshots/*.png in chromium
	$(BIN)/python docs/screenshots.py

setup: system-packages $(VENV)/.installed

system-packages: ## Debian packages the archive needs (skipped when already installed)
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $@

sample: setup
	$(BIN)/integrity-archive sample-corpus $(SAMPLE_DIR) --integrity-cases

ingest: setup
	$(BIN)/integrity-archive ingest $(SAMPLE_DIR)
	$(BIN)/integrity-archive sample-site  # a local agency site crawled twice: planted silent edits and removals
	$(BIN)/integrity-archive debarred import config/debarred.example.csv

serve: setup
	$(BIN)/integrity-archive serve --host $(HOST) --port $(PORT)

reliability: setup ## crash, hostile input, fuzzing, load and security suite (< 15 min; figures in bench/results/reliability.json)
	$(BIN)/python bench/reliability.py

bench: setup ## benchmarks (figures printed, JSON in bench/results; see docs/benchmarks.md)
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/segmentation.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/realdocs.py
	$(BIN)/python bench/metadata.py
	nice -n 10 $(BIN)/python bench/scale.py all --docs 10000
	nice -n 10 $(BIN)/python bench/scale.py all --docs 100000

bench-1m: setup ## the 1M-document scale benchmark (about an hour; about 10 GB under /tmp)
	nice -n 10 $(BIN)/python bench/scale.py all --docs 1000000 --seconds 30

es-up: ## start Elasticsearch and a Prefect server with Docker (compose.yaml)
	docker compose up -d elasticsearch prefect
	@echo "waiting for Elasticsearch on http://localhost:9200"; \
	for i in $$(seq 1 60); do curl -fs http://localhost:9200/_cluster/health >/dev/null && exit 0; sleep 2; done; \
	echo "Elasticsearch did not come up"; exit 1

es-test: setup ## the shared conformance suite and live tests against ELASTICSEARCH_URL
	ELASTICSEARCH_URL=$${ELASTICSEARCH_URL:-http://localhost:9200} $(BIN)/python -m pytest -m elasticsearch -rs

es-down:
	docker compose down

env-example: setup ## regenerate .env.example from the settings tree
	$(BIN)/python -c 'from config.settings import env_example; print(env_example(), end="")' > .env.example

clean:
	rm -rf build var .pytest_cache
