# Two commands for a newcomer: `make run` (set up and serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_ENV := DJANGO_DEBUG=1

.PHONY: install run test test-fast serve bench loadtest messages clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned dependencies (idempotent)

run: install ## migrate, import content/, create demo accounts, serve on 127.0.0.1:8000
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	@$(DEV_ENV) $(BIN)/python manage.py import_content content/ || { \
	  echo ""; echo "*** make run stopped: content/ did not import (errors above, file:line)."; \
	  echo "*** Nothing was changed in the database. Fix the files and run make run again."; \
	  exit 1; }
	$(DEV_ENV) $(BIN)/python manage.py create_demo_accounts
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install ## lint, format check, import layers, full test suite (SQLite, or DATABASE_URL)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

serve: install ## production-style: gunicorn, debug off (needs DJANGO_SECRET_KEY; see docs/deploy.md)
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn studyapp.wsgi:application -c studyapp/gunicorn_conf.py

bench: install ## server time + query count of the hot pages at 1k and 1M review logs (bench/README.md)
	$(BIN)/python bench/run.py

test-fast: install ## the suite without browser tests
	$(BIN)/python -m pytest -m "not browser"

loadtest: install ## locust: 100 users for 60 s against gunicorn + PostgreSQL (docs/deploy.md)
	$(BIN)/python loadtests/run.py

# Folders with no interface strings; tests/i18n/test_catalogs.py reads this list. A pattern
# matches a folder's name at any depth, so content/ (only .md, never scanned) is not listed:
# "content" would also skip studyapp/content and templates/content.
PT_PO := locale/pt_BR/LC_MESSAGES/django.po
MESSAGES_IGNORE := --ignore=.venv --ignore=bench --ignore=loadtests --ignore=tests --ignore=var --ignore=staticfiles --ignore=test-artifacts

messages: install ## regenerate and compile the translation catalogs (needs gettext; docs/i18n.md)
	$(DEV_ENV) $(BIN)/python manage.py makemessages --locale pt_BR --locale en --no-obsolete --no-location $(MESSAGES_IGNORE)
	@# Portuguese is the source language: every msgstr is its msgid (plurals too).
	msgfilter --keep-header -i $(PT_PO) sed -e d | msgen - | msgattrib --clear-fuzzy --clear-previous -o $(PT_PO).tmp - && mv $(PT_PO).tmp $(PT_PO)
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --locale pt_BR --locale en $(MESSAGES_IGNORE)
	@msgfmt --statistics -o /dev/null locale/en/LC_MESSAGES/django.po  # translate what is missing or fuzzy

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
