"""Where the tests find the project, its seeds, ../shared and their own data."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
ARCD_TRAIN = SHARED / "eval" / "arcd-train.json"
TESTS = ROOT / "tests"
SEED_QUESTIONS = TESTS / "data" / "seed_questions.jsonl"
# 20 more questions over the seeds, written in dialect and with typos (docs/retrieval.md)
DIALECT_QUESTIONS = TESTS / "data" / "seed_questions_dialect.jsonl"
