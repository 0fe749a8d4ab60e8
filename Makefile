# The two commands of the README:  make run  (the app with demo data)  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export SAMSKAPA_DATA_DIR ?= data

.PHONY: run test install install-test browser messages bench-web bench-world bench-judging

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installed again only when pyproject.toml changes (stamp files); pip's and setuptools' chatter
# goes to $(VENV)/install.log and is shown only if the install fails.
PIP_INSTALL = $(BIN)/pip install --quiet -e $(1) >$(VENV)/install.log 2>&1 \
	|| { cat $(VENV)/install.log; exit 1; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing Samskapa into $(VENV) (log: $(VENV)/install.log)"
	@$(call PIP_INSTALL,.)
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "Installing Samskapa and its test tools into $(VENV) (log: $(VENV)/install.log)"
	@$(call PIP_INSTALL,'.[test]')
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# make run PORT=8001 (HOST=0.0.0.0 to be reached from other machines)
run: install
	@$(BIN)/samskapa migrate
	@$(BIN)/samskapa demo
	$(BIN)/samskapa serve --host $(HOST) --port $(PORT)

test: install-test browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

messages: install
	$(BIN)/python scripts/messages.py

bench-web: install-test
	$(BIN)/python benchmarks/web.py

bench-world: install
	$(BIN)/python benchmarks/world.py

bench-judging: install
	$(BIN)/python benchmarks/judging.py
