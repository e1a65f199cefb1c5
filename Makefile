# Customer Insight Workbench. `make` lists the targets.
.DEFAULT_GOAL := help
.PHONY: help setup demo test run site lab serve bench validate clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

setup: ## create .venv, install the project, fonts and chromium (when apt-get is usable)
	bash scripts/bootstrap.sh

demo: ## set up, write demo data, run the last complete month, build reports/site/
	bash scripts/demo

test: ## set up and run every test
	bash scripts/test

validate: setup ## check the files in data/raw/ (exit 2 on errors)
	.venv/bin/workbench validate

run: setup ## run the last complete month (MONTH=YYYY-MM for another) and build the site
	.venv/bin/workbench run $(if $(MONTH),--month $(MONTH))

site: setup ## rebuild reports/site/ from reports/runs/
	.venv/bin/workbench build-site

lab: setup ## open JupyterLab on notebooks/ with the project's kernel
	.venv/bin/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root)

serve: setup ## preview the site on http://127.0.0.1:8000/
	.venv/bin/workbench serve

bench: setup ## run the scale benchmarks (minutes; not part of the tests)
	.venv/bin/python benchmarks/run.py pipeline

clean: ## remove generated data, runs and the site (keeps data/raw/)
	rm -rf data/processed/* reports/runs reports/site
