# Powderkeg developer entry points. `make help` lists them.
# Infra targets (venv, install, up, down, status, test) are owned by deploy/; see deploy/stack.sh for ports
# and environment variables.

PYTHON ?= python3.11
VENV ?= .venv
PYTEST_ARGS ?=
# Marks a venv that has the locked dependencies and the project installed; redone when either file changes.
VENV_STAMP := $(VENV)/.powderkeg-installed

.DEFAULT_GOAL := help
.PHONY: help venv install up down status test

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(VENV_STAMP) ## Create .venv with the locked dependencies and the project (editable)

$(VENV_STAMP): requirements.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --require-hashes -r requirements.lock
	$(VENV)/bin/pip install -q --no-deps -e .
	touch $@

install: ## Install Kafka (Maven), Prometheus and Alertmanager (Debian) if missing
	bash deploy/stack.sh install

up: install ## Start Kafka, Alertmanager and Prometheus on 127.0.0.1 and wait until ready
	bash deploy/stack.sh up

down: ## Stop the local stack and delete its data
	bash deploy/stack.sh down

status: ## Show which parts of the local stack are running
	bash deploy/stack.sh status

test: venv install ## Run all tests against a freshly started stack (always taken down afterwards)
	bash deploy/with-stack.sh $(VENV)/bin/pytest $(PYTEST_ARGS)
