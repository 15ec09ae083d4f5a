# One command per chore. `make demo` and `make test` work on a fresh machine.
.PHONY: setup demo test lint typecheck unit bench catalog clean

setup:            ## create .venv and install genaicost with its dev tools
	bash scripts/setup.sh

demo:             ## set up, then print the cost report of the bundled demo cluster
	bash scripts/demo.sh

test:             ## set up, then lint, type-check and run the whole test suite
	bash scripts/test.sh

lint: setup
	.venv/bin/ruff check src tests bench tools

typecheck: setup
	.venv/bin/mypy

unit: setup       ## tests without the slow ones
	.venv/bin/python -m pytest -q -m "not slow"

bench: setup      ## engine benchmark (see bench/README.md)
	.venv/bin/python -m bench.bench_engine

catalog:          ## rebuild the bundled price catalog from ../shared/reference/aws
	.venv/bin/python tools/build_catalog.py --reference-dir ../shared/reference/aws --out src/genaicost/pricing/data

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache build dist src/*.egg-info
