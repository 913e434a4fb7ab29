# Minyi: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PORT

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck pytest clean messages

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install Minyi with its development tools

run: $(STAMP)  ## migrate the embedded database, load the demo city if empty, serve on PORT
	$(BIN)/minyi db upgrade
	$(BIN)/minyi demo load --if-empty
	$(BIN)/minyi serve --port $(PORT)

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check .

typecheck: $(STAMP)  ## mypy (strict for sampling and questionnaires)
	$(BIN)/mypy sampling questionnaires survey_app

pytest: $(STAMP)  ## the test suite only
	$(BIN)/pytest -q

test: lint typecheck pytest  ## ruff, mypy and the whole test suite

clean:  ## remove the virtual environment and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis

messages: $(STAMP)  ## extract translatable strings and update the zh_CN and en catalogs
	@mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o var/messages.pot --no-location .
	$(BIN)/pybabel update -i var/messages.pot -d survey_app/locale -w 100 --omit-header --ignore-obsolete
