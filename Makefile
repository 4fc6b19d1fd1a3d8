# Communitas: `make run` starts the tool with its dev sandbox; `make test` runs the suite.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export COMMUNITAS_BASE_URL ?= http://$(HOST):$(PORT)
FLASK := $(BIN)/flask --app lti_app

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[postgres,redis]"
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,postgres,redis]"
	touch $@

run: $(VENV)/.run-deps
	COMMUNITAS_SANDBOX=1 $(FLASK) db upgrade
	COMMUNITAS_SANDBOX=1 $(FLASK) platform list | grep -q "$(COMMUNITAS_BASE_URL)/sandbox" || \
	  COMMUNITAS_SANDBOX=1 $(FLASK) platform add --issuer $(COMMUNITAS_BASE_URL)/sandbox \
	    --client-id communitas-sandbox --auth-login-url $(COMMUNITAS_BASE_URL)/sandbox/auth \
	    --auth-token-url $(COMMUNITAS_BASE_URL)/sandbox/token \
	    --key-set-url $(COMMUNITAS_BASE_URL)/sandbox/jwks --deployment-id sandbox-deployment-1
	COMMUNITAS_SANDBOX=1 $(FLASK) info
	COMMUNITAS_SANDBOX=1 $(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: $(VENV)/.test-deps
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.test-deps
	$(BIN)/python bench/formation.py --sizes 1000,10000,100000
	$(BIN)/python bench/launch.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/slow_peers.py

clean:
	rm -rf $(VENV) instance .pytest_cache
