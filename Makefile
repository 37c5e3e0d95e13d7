# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: run test bench snapshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test,spark]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/chartabstract run sample_notes/ --out $(OUT)
	@echo "Outputs are in $(OUT)/: cohort.csv (and .parquet), events.csv, mentions.csv, note_nlp.csv,"
	@echo "review_queue.csv, data_dictionary.csv, run_manifest.json. Next: $(BIN)/chartabstract explain $(OUT) A01,"
	@echo "review the flagged fields: $(BIN)/chartabstract review $(OUT) --reviewer YOUR_NAME,"
	@echo "or write the study report: $(BIN)/chartabstract report $(OUT)"

test: $(STAMP)
	$(BIN)/python -m pytest

# after an intended change of outputs: rewrite tests/data/expected_sample/ from a fresh run, then review the diff
snapshot: $(STAMP)
	$(BIN)/python -m tests.snapshot --update

bench: $(STAMP)
	$(BIN)/python bench/negex_bench.py
	$(BIN)/python bench/dates_bench.py
	$(BIN)/python bench/throughput_bench.py
	$(BIN)/python bench/splitter_bench.py
	$(BIN)/python bench/scale_bench.py

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info src/*.egg-info
