# The two commands a newcomer needs:  make run   and   make test
SHELL := /bin/bash
# No telemetry calls (clinics run this in closed networks) and quieter TensorFlow logs.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
.DEFAULT_GOAL := help
VENV := .venv
RASA_ENV := $(VENV)/rasa/bin
ACTIONS_ENV := $(VENV)/actions/bin
SPACY_PIPELINE := rasa_project/spacy_pipeline/en_knee/config.cfg

.PHONY: help setup envs model run cluster nginx shell test lint test-tools unit rasa-checks e2e web-setup web-test analyze erase clean

help:
	@echo "make run    - set everything up (first time: a few minutes) and start the assistant"
	@echo "make cluster - the scaled set-up: nginx on PUBLIC_PORT (8000), 2 Rasa, 2 action servers,"
	@echo "               2 RQ workers, PostgreSQL and Redis (docs/deploy.md)"
	@echo "make test   - set everything up and run every test"
	@echo "make shell  - chat with the assistant in this terminal"
	@echo "make analyze VIDEO=path OUT=dir - analyse one video"
	@echo "make erase CONVERSATION=id      - erase everything of one conversation"

envs:
	@scripts/setup_env.sh rasa
	@scripts/setup_env.sh actions

$(SPACY_PIPELINE): scripts/build_spacy_pipeline.py | envs
	@$(RASA_ENV)/python scripts/build_spacy_pipeline.py rasa_project/spacy_pipeline/en_knee

model: envs $(SPACY_PIPELINE)
	@scripts/train_if_needed.sh

setup: envs $(SPACY_PIPELINE) model

run: setup
	@scripts/run.sh

nginx:
	@scripts/setup_nginx.sh

# PostgreSQL (DATABASE_URL, default database knee_cluster on 127.0.0.1:5432, created if
# missing) and Redis (REDIS_URL, default 127.0.0.1:6379) must be running.
cluster: setup nginx
	@$(ACTIONS_ENV)/python scripts/launch.py cluster

shell: setup
	@scripts/run.sh --shell

lint: envs
	$(ACTIONS_ENV)/ruff check actions kneeapp analysis_core content_schema rasa_project/components rasa_project/connectors tests bench scripts
	PYTHONPATH=. $(ACTIONS_ENV)/lint-imports --no-cache
	$(ACTIONS_ENV)/mypy actions kneeapp analysis_core content_schema rasa_project/components/extraction rasa_project/components/intent_guard.py rasa_project/components/red_flag_scan.py rasa_project/components/spelling.py

test-tools:
	@scripts/setup_test_tools.sh

unit: envs test-tools
	$(ACTIONS_ENV)/python -m pytest -q -p no:cacheprovider tests/unit tests/actions tests/store tests/jobs tests/analysis_core
	PYTHONPATH=rasa_project:. $(RASA_ENV)/python -m pytest -q -p no:cacheprovider tests/rasa_env

rasa-checks: setup
	scripts/validate_data.sh
	cd rasa_project && PYTHONPATH=.:.. ../$(RASA_ENV)/rasa test core --stories tests/ -m models/current.tar.gz --fail-on-prediction-errors --out results/core --quiet

e2e: setup
	$(ACTIONS_ENV)/python -m pytest -q -p no:cacheprovider tests/e2e

web-setup:
	@scripts/setup_browser.sh

web-test: setup web-setup
	cd web && npm test

test: setup nginx lint unit rasa-checks e2e web-test

analyze: envs
	@test -n "$(VIDEO)" -a -n "$(OUT)" || { echo "usage: make analyze VIDEO=path/to/clip.mp4 OUT=out/dir"; exit 2; }
	@$(ACTIONS_ENV)/python -m analysis_core "$(VIDEO)" --out "$(OUT)"

erase: envs
	@test -n "$(CONVERSATION)" || { echo "usage: make erase CONVERSATION=<conversation id>"; exit 2; }
	@$(ACTIONS_ENV)/python -m kneeapp.store.erase "$(CONVERSATION)"

clean:
	rm -rf rasa_project/models rasa_project/results var
