# The two commands of the README:  make run  (the app with demo data)  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export SAMSKAPA_DATA_DIR ?= data

.PHONY: run test install install-test browser messages bench-web bench-world

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: install
	$(BIN)/samskapa migrate
	$(BIN)/samskapa demo
	$(BIN)/samskapa serve

test: install-test browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

messages: install
	$(BIN)/python scripts/messages.py

bench-web: install-test
	$(BIN)/python benchmarks/web.py

bench-world: install
	$(BIN)/python benchmarks/world.py
