# The two commands of the README:  make run  (the app with demo data)  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export SAMSKAPA_DATA_DIR ?= data

.PHONY: run test install install-test amulet browser pdf messages bench-web bench-world bench-judging

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

# amulet-core (the world editor's library) reads our .mcworld back in the tests. It pins numpy < 2,
# which this project's environment cannot share, so it gets a venv of its own.
AMULET := .venv-amulet
$(AMULET)/.installed: | $(BIN)/python
	@echo "Installing amulet-core into $(AMULET) for the tests (log: $(AMULET)/install.log)"
	@$(PYTHON) -m venv $(AMULET)
	@$(AMULET)/bin/pip install --quiet amulet-core==1.9.50 >$(AMULET)/install.log 2>&1 \
	  || { cat $(AMULET)/install.log; exit 1; }
	@touch $@
amulet: $(AMULET)/.installed

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# WeasyPrint (the jury protocol and diplomas as PDF) draws text with Debian's pango and harfbuzz,
# the libraries its documentation lists for Debian; DejaVu has the glyphs of å ä ö.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf:
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 && ldconfig -p | grep -q libharfbuzz-subset.so.0 \
	  && fc-list 2>/dev/null | grep -qi dejavu || { \
	  echo "Installing Debian's pango, harfbuzz and DejaVu fonts for the PDFs"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(PDF_LIBS) >/dev/null; }

# make run PORT=8001 (HOST=0.0.0.0 to be reached from other machines)
run: install pdf
	@$(BIN)/samskapa migrate
	@$(BIN)/samskapa demo
	$(BIN)/samskapa serve --host $(HOST) --port $(PORT)

# One worker per core (at most 4: each starts its own database, app server and Chromium); the
# suite is mostly Python waiting on one core, so two workers halve it on a 2-core machine.
# Test modules stay whole on one worker (their module-scoped worlds are seeded once).
PYTEST_WORKERS ?= -n auto --maxprocesses 4 --dist loadfile
test: install-test amulet browser pdf
	SAMSKAPA_AMULET_PYTHON=$(CURDIR)/$(AMULET)/bin/python $(BIN)/python -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

messages: install
	$(BIN)/python scripts/messages.py

bench-web: install-test
	$(BIN)/python benchmarks/web.py

bench-world: install
	$(BIN)/python benchmarks/world.py

bench-judging: install
	$(BIN)/python benchmarks/judging.py
