# Powderkeg developer entry points. `make help` lists them.
# Infra targets (venv, install, up, down, status, test) are owned by deploy/; see deploy/stack.sh for ports
# and environment variables.

PYTHON ?= python3.11
VENV ?= .venv
PYTEST_ARGS ?=
# The development data (evaluation sets, the full VOA set); a relative path is taken from the repository root.
# The same setting the CLI and the tests read (README, "Development data").
POWDERKEG_DEV_DATA ?= ../shared/data
export POWDERKEG_DEV_DATA
# Marks a venv that has the locked dependencies and the project installed; redone when either file changes.
VENV_STAMP := $(VENV)/.powderkeg-installed

.DEFAULT_GOAL := help
.PHONY: help venv install up down status test chaos run bench bench-kafka bench-scale bench-store eval-dev eval-alerts lint \
	schemas lock train-venv train-data train train-cv eval-classifier bench-classifier lock-train web-vendor

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: venv ## Run the whole pipeline in one process over seeds/ (no broker) and print the alerts
	$(VENV)/bin/powderkeg run seeds/
	@echo "Web console over the same run: $(VENV)/bin/powderkeg run seeds/ --serve  (then open the URL it prints)"

venv: $(VENV_STAMP) ## Create .venv with the locked runtime and development dependencies and the project (editable)

$(VENV_STAMP): requirements-pip.lock requirements-dev.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --require-hashes -r requirements-pip.lock
	$(VENV)/bin/pip install -q --require-hashes -r requirements-dev.lock
	$(VENV)/bin/pip install -q --no-deps -e .
	touch $@

install: ## Install Kafka (Maven), Prometheus, Alertmanager, PostgreSQL and chromium (Debian) if missing
	bash deploy/stack.sh install

up: install ## Start Kafka, Alertmanager, Prometheus and PostgreSQL on 127.0.0.1 and wait until ready
	bash deploy/stack.sh up

down: ## Stop the local stack and delete its data
	bash deploy/stack.sh down

status: ## Show which parts of the local stack are running
	bash deploy/stack.sh status

test: venv install lint ## Lint and type-check, then run all tests against a freshly started stack (taken down afterwards)
	bash deploy/with-stack.sh $(VENV)/bin/pytest $(PYTEST_ARGS)

bench: venv ## Throughput of bare spaCy vs the embedded pipeline on the VOA articles (no broker)
	$(VENV)/bin/powderkeg bench

bench-kafka: venv install ## The same, plus the three services through a freshly started real broker
	bash deploy/with-stack.sh $(VENV)/bin/powderkeg bench --kafka

bench-scale: venv install ## Broker throughput with 1 and then 2 workers per service (extractor and alerting), side by side
	POWDERKEG_TOPIC_PARTITIONS=4 bash deploy/with-stack.sh $(VENV)/bin/powderkeg bench-scale --workers 1,2 --repeat 20

bench-store: venv install ## Store ingest rate, API p50/p95 and database size over 1,000,000 events (PostgreSQL)
	mkdir -p build
	bash deploy/with-stack.sh $(VENV)/bin/python -m powderkeg_store.bench --events 1000000

web-vendor: ## Refresh the console's vendored files from the npm lock (services/store/web/package-lock.json)
	cd services/store/web && npm ci --ignore-scripts --no-audit --no-fund
	cp services/store/web/node_modules/world-atlas/countries-50m.json services/store/web/node_modules/world-atlas/LICENSE \
		services/store/powderkeg_store/web/vendor/world-atlas/

eval-dev: venv ## Rules, classifier and their combination on unseen data (CV folds, VOA holdout); the rules' dev tables
	mkdir -p build
	$(VENV)/bin/python -m powderkeg_extractor.evaluate $(POWDERKEG_DEV_DATA)/plover_gsr/plover_gsr.jsonl --json-out build/eval_plover.json
	$(VENV)/bin/python -m powderkeg_extractor.evaluate $(POWDERKEG_DEV_DATA)/conflibert_dev/conflibert_dev.jsonl --json-out build/eval_conflibert.json
	$(VENV)/bin/python -m powderkeg_extractor.evaluate_classifier --json-out build/eval_classifier.json

eval-alerts: venv ## Score the alerts: recall per family, false alarms, precision on the VOA articles (dev and holdout)
	mkdir -p build
	$(VENV)/bin/powderkeg eval-alerts --json-out build/eval_alerts.json

TYPED = contracts/powderkeg_contracts services/runtime/powderkeg_runtime services/ingest/powderkeg_ingest \
	services/extractor/powderkeg_extractor services/alerting/powderkeg_alerting services/store/powderkeg_store \
	services/cli/powderkeg_cli

lint: venv ## ruff over the whole tree, mypy --strict over the packages (part of make test)
	$(VENV)/bin/ruff check contracts services tests
	$(VENV)/bin/mypy $(TYPED)

schemas: venv ## Regenerate contracts/schemas/*.json from the models
	$(VENV)/bin/powderkeg schemas

# The runtime lock (the image) first; the development lock (make venv) is constrained to it, so both agree.
lock: ## Re-resolve requirements.in and requirements-dev.in into their hash-pinned locks (needs network to PyPI)
	$(VENV)/bin/pip install -q uv
	$(VENV)/bin/uv pip compile --python-version 3.11 --no-strip-extras --generate-hashes requirements.in -o requirements.lock
	$(VENV)/bin/uv pip compile --python-version 3.11 --no-strip-extras --generate-hashes requirements-dev.in -c requirements.lock \
		-o requirements-dev.lock

chaos: venv install ## Chaos test: SIGKILL every service twice and restart the broker under 2,000 articles (prints figures)
	bash deploy/with-stack.sh $(VENV)/bin/pytest -m chaos -s -p no:cacheprovider tests/chaos $(PYTEST_ARGS)

# The sentence classifier (docs/classifier.md). Training has its own venv and lock: `make test` never installs them.
TRAIN_VENV ?= .venv-train
TRAIN_STAMP := $(TRAIN_VENV)/.powderkeg-installed
TRAIN_PY = PYTHONPATH=services/extractor/training $(TRAIN_VENV)/bin/python

train-venv: $(TRAIN_STAMP) ## Create .venv-train with the training lock (torch, base weights, onnx) and the project

$(TRAIN_STAMP): requirements-pip.lock requirements-train.lock pyproject.toml
	test -x $(TRAIN_VENV)/bin/python || $(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q --require-hashes -r requirements-pip.lock
	$(TRAIN_VENV)/bin/pip install -q --require-hashes -r requirements-train.lock
	$(TRAIN_VENV)/bin/pip install -q --no-deps -e .
	touch $@

train-data: train-venv ## Assemble the classifier's training rows into build/classifier/ (reads $$POWDERKEG_DEV_DATA)
	$(TRAIN_PY) -m classifier_training.data

train: train-data ## Fine-tune, export and quantise the classifier into powderkeg_extractor/classify/data (CPU)
	$(TRAIN_PY) -m classifier_training.train

VARIANT ?=
train-cv: train-data ## Cross-validate a recipe (VARIANT=name; default the shipped one) over the folds (training/cv/)
	$(TRAIN_PY) -m classifier_training.train --cv $(if $(VARIANT),--variant $(VARIANT))

eval-classifier: venv ## The same on the cross-validation folds only (variants, ConfliBERT, GSR, VOA dev; no holdout)
	mkdir -p build
	$(VENV)/bin/python -m powderkeg_extractor.evaluate_classifier --splits variants,conflibert,gsr,voa_dev \
		--json-out build/eval_classifier_cv.json

bench-language: venv ## Ingest's language detector (py3langid) against langdetect: accuracy and ms per text, side by side
	$(VENV)/bin/python services/ingest/scripts/bench_language.py

bench-classifier: venv ## Sentences/s of the int8 classifier (1 and 2 threads) against full en_core_web_sm, and RSS
	$(VENV)/bin/python services/extractor/scripts/bench_classifier.py

lock-train: ## Re-resolve requirements-train.in (with requirements.in) into requirements-train.lock with hashes
	$(VENV)/bin/pip install -q uv && $(VENV)/bin/uv pip compile --python-version 3.11 --no-strip-extras --generate-hashes requirements-train.in -o requirements-train.lock
