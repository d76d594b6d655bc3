# vaultops.cloud task runner. `make demo` and `make test` need nothing installed by hand:
# the first target they call creates the Python environments and the lab builds its plugin.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV ?= .venv
VENV219 ?= .venv-core219
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.build/collections
export ANSIBLE_CONFIG := $(CURDIR)/tests/ansible.cfg
PYTEST_ARGS ?=
# the integration suite on HashiCorp Vault runs a lab of its own, on ports apart from the OpenBao run's
# (a dev server also takes its port + 1), so that the two never meet
VAULT_IT_PORTS ?= VAULTOPS_IT_VAULT_PORT=18214 VAULTOPS_IT_AWS_PORT=18514 VAULTOPS_IT_CLOUD_PORT=18279 \
	VAULTOPS_IT_SPARE_PORTS=18260-18279
# the ansible-core 2.19 subset too, so that make test can run it beside the others
CORE219_IT_PORTS ?= VAULTOPS_IT_VAULT_PORT=18216 VAULTOPS_IT_AWS_PORT=18516 VAULTOPS_IT_CLOUD_PORT=18299 \
	VAULTOPS_IT_SPARE_PORTS=18280-18299
# Molecule on HashiCorp Vault: a lab of its own (ports and folder), run after the OpenBao one
VAULT_MOLECULE_ENV ?= VAULTOPS_LAB_SERVER=vault VAULTOPS_MOLECULE_VAULT_PORT=18230 VAULTOPS_MOLECULE_AWS_PORT=18530 \
	VAULTOPS_MOLECULE_CLOUD_PORT=18630 VAULTOPS_MOLECULE_LAB=lab-molecule-vault

.PHONY: help venv demo lab-up lab-down bench test lint ruff ansible-lint docs docs-lint sanity units units-core219 integration integration-core219 integration-vault vault-build molecule molecule-vault clean

help:
	@echo "make demo         lab up, setup-vault-aws.yml, deploy-with-aws-creds.yml, lab down (KEEP_LAB=1 keeps it)"
	@echo "make test         lint, sanity, units, integration and molecule, on ansible-core 2.21 and 2.19"
	@echo "make lint | sanity | units | integration | molecule"
	@echo "make integration-vault | molecule-vault  the same on HashiCorp Vault 1.21.1 (built once by make vault-build)"
	@echo "make docs         HTML docs of every module, plugin and role (antsibull-docs) in tests/output/docs/build/html"
	@echo "make bench        time and count the requests of converging 10/100/1000 AWS roles against the peer"
	@echo "                  (own lab on ports 18700-18702; writes tests/output/bench.md; BENCH_ARGS=--quick for 10 roles)"

venv:
	@scripts/bootstrap

demo: venv
	@scripts/demo

lab-up: venv
	@$(VENV)/bin/python scripts/lab up

lab-down:
	@$(VENV)/bin/python scripts/lab down

bench: venv
	@$(VENV)/bin/python scripts/bench $(BENCH_ARGS)

test: venv
	@rm -f tests/output/timings.txt tests/output/junit-*.xml
	@# every stage runs, so that one failure does not hide the others; the summary fails if any did
	-@scripts/timed lint $(MAKE) --no-print-directory lint
	-@scripts/timed sanity $(MAKE) --no-print-directory sanity
	-@scripts/timed units $(MAKE) --no-print-directory units units-core219
	@# HashiCorp Vault 1.21.1 from the Go module proxy, built once and cached (about 12 CPU-minutes cold)
	-@scripts/timed vault-build $(MAKE) --no-print-directory vault-build
	@# both servers' suites and the ansible-core 2.19 subset, two at a time (each lab on ports of its own):
	@# one suite keeps about one core busy, so two at a time fill the two cores a CI machine has
	-@scripts/timed integration $(MAKE) --no-print-directory -j2 --output-sync=target \
		integration-vault integration integration-core219
	-@scripts/timed molecule $(MAKE) --no-print-directory molecule molecule-vault
	@scripts/timed summary

lint: venv ruff ansible-lint docs-lint

# antsibull-docs lint-collection-docs --plugin-docs and antsibull-changelog lint (from .venv-tools)
docs-lint: venv
	@scripts/docs lint

# the HTML documentation site of every module, plugin and role: tests/output/docs/build/html
docs: venv
	@scripts/docs

ruff: venv
	$(VENV)/bin/ruff check plugins tests scripts/lab lab/fakes
	$(VENV)/bin/ruff format --check plugins tests scripts/lab lab/fakes

ansible-lint: venv
	$(VENV)/bin/ansible-lint --profile production --offline

sanity: venv
	@scripts/sanity

units: venv
	$(VENV)/bin/python -m pytest tests/unit -q --junitxml=tests/output/junit-units.xml $(PYTEST_ARGS)

units-core219: venv
	$(VENV219)/bin/python -m pytest tests/unit -q -p no:cacheprovider --junitxml=tests/output/junit-units-core219.xml $(PYTEST_ARGS)

integration: venv
	$(VENV)/bin/python -m pytest tests/fakes -q --junitxml=tests/output/junit-fakes.xml $(PYTEST_ARGS)
	$(VENV)/bin/python -m pytest tests/integration -q --junitxml=tests/output/junit-integration.xml $(PYTEST_ARGS)

integration-core219: venv
	env VAULTOPS_ANSIBLE_BIN=$(CURDIR)/$(VENV219)/bin $(CORE219_IT_PORTS) $(VENV)/bin/python -m pytest tests/integration -q -m core219 --junitxml=tests/output/junit-integration-core219.xml $(PYTEST_ARGS)

vault-build: venv
	@# HashiCorp Vault from lab/vault/go.mod, built once (~12 CPU-minutes) and cached like the plugins
	VAULTOPS_LAB_SERVER=vault $(VENV)/bin/python scripts/lab server-bin

integration-vault: vault-build
	env VAULTOPS_LAB_SERVER=vault $(VAULT_IT_PORTS) $(VENV)/bin/python -m pytest tests/integration -q --junitxml=tests/output/junit-integration-vault.xml $(PYTEST_ARGS)

molecule: venv
	@scripts/molecule

# the same scenarios against HashiCorp Vault 1.21.1 and its built-in engines
molecule-vault: vault-build
	@env $(VAULT_MOLECULE_ENV) scripts/molecule

clean:
	-$(VENV)/bin/python scripts/lab down
	rm -rf .build tests/output
