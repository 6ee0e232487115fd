# One command to build the digest, one to run the tests; each sets up what it needs first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test golden setup setup-test browser clean

site: setup  ## Build the default digest into site/
	$(BIN)/digest build

test: setup-test browser  ## Run the whole test suite (unit, build, browser)
	$(BIN)/python -m pytest

golden: setup  ## Rebuild tests/golden/expected/ after an intended change (tests/golden/README.md)
	$(BIN)/python tests/golden/refresh.py

setup: $(BIN)/digest

$(BIN)/digest: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

setup-test: setup
	$(BIN)/pip install --quiet -e '.[test]'

browser:  ## Debian's Chromium for the browser tests (Playwright cannot download one here)
	@[ -x /usr/bin/chromium ] || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

clean:
	rm -rf site $(VENV) .pytest_cache
