# The Information Sharing Registry: `make run` serves the demo, `make test` runs every check.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
VENDOR := registry/static/vendor/govuk
AUTOCOMPLETE := registry/static/vendor/accessible-autocomplete
DEV_ENV := REGISTRY_CONFIG=development
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint format migrate seed clean

install: $(STAMP) $(VENDOR)/.copied

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

# Front-end assets (GOV.UK Frontend, GOV.UK's accessible-autocomplete) and axe-core for the
# browser tests, pinned by package-lock.json; the pages serve a local copy, nothing comes
# from a CDN.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# GOV.UK Frontend's CSS is copied without its @font-face rules: GDS Transport is for GOV.UK
# services only and is not served here, so a browser asking for it would get a 404.
$(VENDOR)/.copied: $(NODE_STAMP) Makefile
	mkdir -p $(VENDOR) $(AUTOCOMPLETE)
	sed -E 's/@font-face\{[^}]*\}//g' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css \
		> $(VENDOR)/govuk-frontend.min.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(VENDOR)/
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css \
		node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js $(AUTOCOMPLETE)/
	touch $(VENDOR)/.copied

migrate: install
	$(DEV_ENV) $(BIN)/flask --app wsgi db upgrade

seed: migrate
	$(DEV_ENV) $(BIN)/flask --app wsgi registry seed-demo --if-empty

run: seed
	$(DEV_ENV) $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache node_modules registry/static/vendor
