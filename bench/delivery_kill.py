"""How often a kill -9 loses or duplicates a reply: the kill test of `make test`
(tools/kill_run.py) over many seeds, by long polling and behind a webhook, on the seeds.

Each run: 60 questions at once from 60 users against the real `marjaa bot` (real pacing,
real query log), killed twice at random moments and restarted. The figures go into
docs/telegram.md, "Delivery".

Run: .venv/bin/python bench/delivery_kill.py [--runs 10] [--questions 60] [--kills 2]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.fake_bot_api import FakeBotApi  # noqa: E402
from tools.kill_run import kill_run  # noqa: E402

TOKEN = "123456789:AAH-bench-kill-token-0123456789"
QUESTIONS = ["أين عقد حوار المنامة؟", "من رعى مؤتمر وارسو؟", "ما هي عاصمة اليابان؟"]


async def main(runs: int, questions: int, kills: int) -> None:
    for mode in ("polling", "webhook"):
        totals = {"questions": 0, "kills": 0, "lost": 0, "duplicated": 0, "log": 0}
        for seed in range(1, runs + 1):
            api = FakeBotApi(token=TOKEN)
            await api.start()
            with tempfile.TemporaryDirectory() as folder:
                figures = await kill_run(
                    api, ROOT / "seeds", Path(folder), QUESTIONS, mode, seed, questions, kills,
                    token=TOKEN,
                )  # fmt: skip
            await api.stop()
            print(figures.line(), flush=True)
            totals["questions"] += figures.questions
            totals["kills"] += figures.kills
            totals["lost"] += figures.lost
            totals["duplicated"] += figures.duplicated
            totals["log"] += figures.logged_unsent + figures.sent_unlogged + figures.logged_twice
        print(
            f"{mode}: {runs} runs, {totals['questions']} questions, {totals['kills']} kills: "
            f"lost {totals['lost']}, duplicated {totals['duplicated']} "
            f"({totals['duplicated'] / totals['kills']:.2f} a kill), query log mismatches "
            f"{totals['log']}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--kills", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.questions, args.kills))
