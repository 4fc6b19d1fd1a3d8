# Communitas: `make run` starts the tool with its dev sandbox; `make test` runs the suite.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export COMMUNITAS_BASE_URL ?= http://$(HOST):$(PORT)
#: Where the sandbox LMS is reached; another host name of this server makes it cross-site.
SANDBOX_URL ?= $(COMMUNITAS_BASE_URL)/sandbox
SANDBOX := COMMUNITAS_SANDBOX=1 COMMUNITAS_SANDBOX_URL=$(SANDBOX_URL)
#: Extra `flask run` options, e.g. RUN_ARGS="--cert cert.pem --key key.pem" for HTTPS.
RUN_ARGS ?=
#: Test processes (pytest-xdist); modules stay whole on one worker. TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2
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

$(VENV)/.bench-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,postgres,redis,bench]"
	touch $@

run: $(VENV)/.run-deps
	$(SANDBOX) $(FLASK) db upgrade
	@# The sandbox's clients: the lenient one, then its Moodle and Canvas profiles.
	@known="$$($(SANDBOX) $(FLASK) platform list)"; \
	$(BIN)/python -c "from sandbox.profiles import main; main()" | while read -r client deployment; do \
	  echo "$$known" | grep -qF "$(SANDBOX_URL)	client id $$client	" || \
	  $(SANDBOX) $(FLASK) platform add --issuer $(SANDBOX_URL) \
	    --client-id $$client --auth-login-url $(SANDBOX_URL)/auth \
	    --auth-token-url $(SANDBOX_URL)/token \
	    --key-set-url $(SANDBOX_URL)/jwks --deployment-id $$deployment; \
	done
	$(SANDBOX) $(FLASK) info
	$(SANDBOX) $(FLASK) run --host $(HOST) --port $(PORT) $(RUN_ARGS)

test: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.test-deps
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.bench-deps
	$(BIN)/python bench/formation.py --sizes 1000,10000,100000
	$(BIN)/python bench/launch.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/slow_peers.py

clean:
	rm -rf $(VENV) instance .pytest_cache
