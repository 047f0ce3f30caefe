# marjaa — the two first commands: `make console` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install console bot test lint eval study bench bench-1m bench-compare clean

# Create the virtual environment and install the project (editable) with its dev tools.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@$(BIN)/python -m retrieval.native  # the compiled core (retrieval/native/)
	@touch $(STAMP)

install: $(STAMP)

console: $(STAMP)
	@$(BIN)/marjaa console --corpus seeds/

# The Telegram bot (long polling); needs TELEGRAM_BOT_TOKEN in .env, see README.md.
bot: $(STAMP)
	@$(BIN)/marjaa bot

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

# Retrieval quality on the development set (needs ../shared beside the clone).
eval: $(STAMP)
	$(BIN)/marjaa eval ../shared/eval/arcd-train.json

# The variant table of docs/retrieval.md.
study: $(STAMP)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,study]'
	$(BIN)/python bench/retrieval_study.py ../shared/eval/arcd-train.json

# Speed of this checkout against another one, side by side (docs/retrieval.md, "Speed"):
# make bench-compare BASELINE=../main-checkout
bench-compare: $(STAMP)
	@test -n "$(BASELINE)" || { echo "usage: make bench-compare BASELINE=path/to/other/checkout"; exit 2; }
	$(BIN)/python bench/compare_speed.py --baseline $(BASELINE)

# Timings, not pass/fail (docs/performance.md): speed and memory on synthetic corpora of
# 10k, 100k and 1M passages with both engines (needs ../shared; about 15 minutes and 3 GB of
# disk under data/bench/), the bot under load, what the query log costs, reviewing a log of a
# million questions (generated once under data/bench/, 0.6 GB; about 15 minutes), and the living
# corpus (docs/deploy.md: latency and memory while the index is swapped, documents added from
# Telegram), then marjaa side by side with tantivy at 100k passages (bench/versus.py, issue 15:
# the same passages and questions through both engines, builds and query loops interleaved,
# ratios against the issue's targets, documents added and removed; about 10 more minutes).
bench: $(STAMP)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python bench/tokenize_speed.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/bot_load.py
	$(BIN)/python bench/querylog_bench.py
	$(BIN)/python bench/querylog_review_bench.py
	$(BIN)/python bench/telegram_log_bench.py
	$(BIN)/python bench/reload_bench.py
	$(BIN)/python bench/upload_bench.py
	$(BIN)/python bench/delivery_kill.py
	$(BIN)/python bench/versus.py --size 100000

# The side by side with tantivy at 1M passages (issue 15's targets are set there): builds
# alternate twice, then the query loops, then 1, 100 and 10,000 documents added and removed
# (incremental updates of the saved index). 3 minutes on a quiet machine (more when busy), 7 GB under data/bench/.
bench-1m: $(STAMP)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python bench/versus.py --size 1000000

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
