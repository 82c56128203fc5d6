# eWTP Marketplace. `make run` starts the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Demo pace: parcels move a step every 20 s and escrow is released a minute after delivery.
DEMO_ENV := DJANGO_SETTINGS_MODULE=ewtp.settings.development \
            CARRIER_SIM_SECONDS_PER_STEP=$${CARRIER_SIM_SECONDS_PER_STEP:-20} \
            ESCROW_DISPUTE_WINDOW_SECONDS=$${ESCROW_DISPUTE_WINDOW_SECONDS:-60} \
            BEAT_INTERVAL_SECONDS=$${BEAT_INTERVAL_SECONDS:-5}

.PHONY: install run test lint bench lock clean

# A developer's venv: the production lock plus the dev tools (the image installs requirements.lock only).
$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  eWTP Marketplace is starting at http://localhost:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo "  Staff logins' authenticator code: $(BIN)/python manage.py demo_totp"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" PORT=$(PORT) EWTP_VAR_DIR=$${EWTP_VAR_DIR:-$(CURDIR)/var} $(DEMO_ENV) \
	  $(BIN)/supervisord -c supervisord.conf

test: install
	$(BIN)/pytest -n 2 --dist loadgroup

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/landed_cost.py
	$(BIN)/python bench/rates.py
	$(BIN)/python bench/screening.py

# After changing pyproject.toml's dependencies: production first, then dev pinned to the same versions.
lock: install
	$(BIN)/pip-compile --quiet --allow-unsafe --generate-hashes --output-file=requirements.lock --strip-extras pyproject.toml
	$(BIN)/pip-compile --quiet --allow-unsafe --extra=dev --generate-hashes --constraint=requirements.lock \
	  --output-file=requirements-dev.lock --strip-extras pyproject.toml

clean:
	rm -rf var/ staticfiles/
