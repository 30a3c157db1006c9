# Two commands for a newcomer: `make run` (set up and run with a demo tenant) and
# `make test` (set up and pass the whole suite). Both install what they need themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEVSTACK = eval "$$($(BIN)/python platform/devstack.py env)"

.PHONY: install run test test-fast bench lint messages browser services-stop clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

# honcho assigns PORT to each process itself, so the web port travels as WEB_PORT.
run: install
	@mkdir -p var
	@$(DEVSTACK) && DJANGO_SETTINGS_MODULE=config.settings.local \
	  $(BIN)/python manage.py setup_platform --demo && \
	  DJANGO_SETTINGS_MODULE=config.settings.local PATH="$(CURDIR)/$(BIN):$$PATH" \
	  WEB_PORT=$(PORT) PLATFORM_PORT=$(PORT) \
	  exec $(BIN)/honcho -d . -f platform/Procfile start

# Debian's chromium for the browser tests; installed with apt where we may (root), else the
# browser tests skip with a visible reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: browser tests will skip"; \
	  else echo "chromium not found and apt not usable: browser tests will skip"; fi; }

test: install browser
	@$(DEVSTACK) && $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	@$(DEVSTACK) && $(BIN)/python -m pytest -x -q -m "not browser and not worker" $(PYTEST_ARGS)

bench: install
	@$(DEVSTACK) && DJANGO_SETTINGS_MODULE=config.settings.local \
	  $(BIN)/python benchmarks/run.py

# mypy (django-stubs) on every services/selectors module and the import-linter contracts,
# both configured in pyproject.toml; tests/test_guard_rails.py runs the same two in CI.
lint: install
	$(BIN)/ruff check .
	@$(DEVSTACK) && DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/mypy
	$(BIN)/lint-imports

messages: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py makemessages -l zh_Hans --ignore ".venv/*" --ignore "var/*"
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py compilemessages --ignore ".venv/*"

services-stop:
	-$(BIN)/python platform/devstack.py stop

clean: services-stop
	rm -rf $(VENV) var
