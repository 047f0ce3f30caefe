"""A realistic synthetic query log: a year of questions and ratings, for benchmarks and tests.

What it imitates (so that indexes and aggregates are measured on the shapes they meet):
traffic that grows over the year with a weekly and a daily rhythm; a few popular questions
asked in many wordings (with and without diacritics and hamzas, in dialect, with typos) and a
long tail asked once; answered or not by question, as a corpus decides; Telegram users whose
activity follows a power law (console and CLI questions have none); log-normal search times with
a slow tail; a corpus that changes a few times; ratings on about one answer in ten.

Run: python -m tools.synthetic_querylog FILE [ROWS] [RATINGS]
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

ROOT = Path(__file__).resolve().parent.parent
ARCD = ROOT.parent / "shared" / "eval" / "arcd-train.json"
SEED_QUESTIONS = ROOT / "tests" / "data" / "seed_questions.jsonl"

CHANNELS = (("telegram", 0.86), ("console", 0.09), ("cli", 0.05))
CHAT_TYPES = (("private", 0.7), ("group", 0.18), ("supergroup", 0.1), ("inline", 0.02))
# a question with no wording variant in the popular pool: the long tail, mostly asked once
TAIL_SHARE = 0.35
DIACRITICS = "\u064e\u064f\u0650\u0652\u0651"
DIALECT = {"أين": "وين", "ماذا": "شو", "كيف": "كيف", "متى": "إمتى", "لماذا": "ليش"}


def base_questions() -> list[str]:
    """Real questions: ARCD train (if ../shared is beside the clone) and the seed questions."""
    found = [json.loads(line)["question"] for line in SEED_QUESTIONS.open(encoding="utf-8")]
    if ARCD.is_file():
        data = json.loads(ARCD.read_text(encoding="utf-8"))
        found += [
            qa["question"]
            for article in data["data"]
            for paragraph in article["paragraphs"]
            for qa in paragraph["qas"]
        ]
    return list(dict.fromkeys(q.strip() for q in found if q.strip()))


def wordings(question: str, rng: random.Random) -> list[str]:
    """How people write the same question: as is, without hamzas, with diacritics, in dialect,
    with a typo."""
    words = question.split()
    plain = question.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا")
    marked = "".join(
        c + (rng.choice(DIACRITICS) if c.isalpha() and rng.random() < 0.4 else "") for c in question
    )
    dialect = " ".join(DIALECT.get(w, w) for w in words)
    typo = list(question)
    if len(typo) > 4:
        i = rng.randrange(1, len(typo) - 2)
        typo[i], typo[i + 1] = typo[i + 1], typo[i]
    return list(dict.fromkeys([question, plain, marked, dialect, "".join(typo), question[:-1]]))


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


class _Pick:
    def __init__(self, rng: random.Random, items: list, weights: list[float]) -> None:
        self.rng, self.items, self.cum = rng, items, _cumulative(weights)

    def __call__(self):
        return self.rng.choices(self.items, cum_weights=self.cum)[0]


def _user_key(number: int) -> str:
    return hashlib.blake2b(str(number).encode(), digest_size=8, key=b"synthetic").hexdigest()


def _times(rows: int, days: int, end: datetime, rng: random.Random) -> list[datetime]:
    """``rows`` sorted moments over ``days`` days ending at ``end``: growth, week and day rhythm."""
    day_weights = []
    for d in range(days):
        moment = end - timedelta(days=days - d)
        growth = 0.4 + 1.2 * d / max(days - 1, 1)
        weekly = 0.7 if moment.weekday() == 4 else 1.0  # Fridays are quieter
        day_weights.append(growth * weekly)
    hour_weights = [
        0.2,
        0.1,
        0.1,
        0.1,
        0.2,
        0.4,
        0.7,
        1,
        1.2,
        1.3,
        1.3,
        1.2,
        1.1,
        1.1,
        1.2,
        1.3,
        1.3,
        1.4,
        1.5,
        1.6,
        1.6,
        1.3,
        0.8,
        0.4,
    ]
    start = end - timedelta(days=days)
    day_of, hour_of = (
        _Pick(rng, list(range(days)), day_weights),
        _Pick(rng, list(range(24)), hour_weights),
    )
    moments = [
        start + timedelta(days=day_of(), hours=hour_of(), seconds=rng.random() * 3600)
        for _ in range(rows)
    ]
    moments.sort()
    return moments


def build(
    path: Path,
    rows: int = 1_000_000,
    ratings: int = 100_000,
    *,
    days: int = 365,
    end: datetime | None = None,
    seed: int = 13,
    upgraded: bool = False,
) -> dict[str, int]:
    """Write a new log at ``path`` with the current schema: ``rows`` questions over the ``days``
    days before ``end`` (default: today, 00:00 UTC) and ``ratings`` ratings. Deterministic for
    given arguments. Returns the counts written.

    ``upgraded``: write the rows in the schema before the counts (2) and upgrade the file at the
    end, as an existing log is; five times quicker than keeping the counts row by row.
    """
    from bot.querylog.schema import (
        COUNTS_SCHEMA,
        FEEDBACK_COLUMNS,
        QUERY_COLUMNS,
        connect,
        migrate,
    )
    from retrieval import normalize

    rng = random.Random(seed)
    if path.exists():
        raise FileExistsError(path)

    async def create() -> None:
        db = await connect(path)
        await db.close()

    async def create_older() -> None:
        path.touch(mode=0o600)  # personal data, as connect() creates it
        async with aiosqlite.connect(path, isolation_level=None) as db:
            await db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # as connect() sets it
            await db.execute("PRAGMA journal_mode = WAL")
            await migrate(db, target=COUNTS_SCHEMA - 1)

    asyncio.run(create_older() if upgraded else create())

    popular = []
    for question in base_questions():
        popular.extend(wordings(question, rng))
    # popularity: a power law over the base questions' wordings (a few are asked very often)
    popular_pick = _Pick(rng, popular, [1 / (rank + 1) ** 0.9 for rank in range(len(popular))])
    rng.shuffle(popular)  # popularity is not in the file's order
    vocabulary = sorted({w for q in popular for w in q.rstrip("؟?").split() if len(w) > 2})
    openers = ("ما هو", "ما هي", "من هو", "متى", "أين", "كيف", "لماذا", "هل", "كم عدد")
    normalized: dict[str, str] = {}
    answered_by: dict[str, bool] = {}

    def tail_question() -> str:
        body = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(2, 6)))
        return f"{rng.choice(openers)} {body}؟"

    channel_pick = _Pick(rng, [c for c, _ in CHANNELS], [w for _, w in CHANNELS])
    chat_pick = _Pick(rng, [c for c, _ in CHAT_TYPES], [w for _, w in CHAT_TYPES])
    users = max(rows // 25, 10)
    user_pick = _Pick(rng, list(range(users)), [1 / (u + 1) ** 0.8 for u in range(users)])
    corpora = [hashlib.sha256(f"corpus{n}".encode()).hexdigest()[:16] for n in range(4)]
    if end is None:
        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    moments = _times(rows, days, end, rng)
    change_every = max(rows // len(corpora), 1)

    def question_rows() -> Iterator[tuple]:
        for n, moment in enumerate(moments):
            tail = rng.random() < TAIL_SHARE
            query = tail_question() if tail else popular_pick()
            norm = normalized.get(query)
            if norm is None:
                norm = normalized[query] = normalize(query)
            answered = answered_by.get(norm)
            if answered is None:
                answered = answered_by[norm] = rng.random() < (0.35 if tail else 0.8)
            channel = channel_pick()
            results = rng.choice((3, 3, 3, 2, 1)) if answered else rng.choice((0, 0, 0, 1))
            latency = rng.lognormvariate(2.8, 0.7) * (8 if rng.random() < 0.01 else 1)
            yield (
                hashlib.blake2b(f"{seed}:{n}".encode(), digest_size=6).hexdigest(),
                moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                channel,
                chat_pick() if channel == "telegram" else None,
                _user_key(user_pick()) if channel == "telegram" else None,
                query,
                norm,
                int(answered),
                results,
                f"doc-{rng.randrange(5000):04d}.md" if results else None,
                rng.randrange(1, 60) if results else None,
                round(rng.uniform(4, 30), 4) if results else None,
                round(latency, 3),
                corpora[min(n // change_every, len(corpora) - 1)],
                "native",
            )

    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA synchronous = OFF")
        db.execute("BEGIN")
        marks = ", ".join("?" for _ in QUERY_COLUMNS)
        db.executemany(
            f"INSERT INTO queries ({', '.join(QUERY_COLUMNS)}) VALUES ({marks})", question_rows()
        )
        db.execute("COMMIT")
        # ratings: on answered Telegram questions, mostly by the asker, a few minutes later
        candidates = [
            (query_id, stamp, user)
            for query_id, stamp, user in db.execute(
                "SELECT query_id, timestamp, user_key FROM queries "
                "WHERE channel = 'telegram' AND answered = 1"
            )
        ]
        chosen = rng.sample(candidates, min(ratings, len(candidates)))
        chosen.sort(key=lambda c: c[1])

        def rating_rows() -> Iterator[tuple]:
            for query_id, stamp, user in chosen:
                asked = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                moment = asked + timedelta(seconds=rng.expovariate(1 / 90))
                yield (
                    query_id,
                    1 if rng.random() < 0.72 else -1,
                    user if rng.random() < 0.95 else _user_key(rng.randrange(users)),
                    moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                )

        db.execute("BEGIN")
        db.executemany(
            f"INSERT OR IGNORE INTO feedback ({', '.join(FEEDBACK_COLUMNS)}) VALUES (?, ?, ?, ?)",
            rating_rows(),
        )
        db.execute("COMMIT")
        counts = {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("queries", "feedback")
        }
    if upgraded:
        asyncio.run(create())  # opening upgrades it
    return counts


if __name__ == "__main__":
    target = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    r = int(sys.argv[3]) if len(sys.argv) > 3 else n // 10
    print(build(target, n, r, upgraded=True))
