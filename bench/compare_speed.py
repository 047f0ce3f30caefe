"""This checkout against another one, side by side: index build time and per-question latency
on the same synthetic corpus (bench/scale.py's steps, each in a fresh process).

    python bench/compare_speed.py --baseline ../other-checkout [--size 100000] [--rounds 3]

The two checkouts' steps alternate, round after round, so that the shared machine's load
hits both alike; the ratios (this / baseline) of the medians over rounds are what to read.
The baseline's corpus folder is made a link to this checkout's, so both index the same
passages.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE)]

from scale import WORK, corpus_for, machine, table  # noqa: E402


def step(root: Path, *args: str) -> dict:
    """One bench/scale.py child step of the checkout at ``root``."""
    done = subprocess.run(
        [sys.executable, str(root / "bench" / "scale.py"), "--child", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )
    if done.returncode:
        raise SystemExit(f"{root}: step {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def share_corpus(baseline: Path, size: int) -> None:
    """Point the baseline's corpus folder at this checkout's (made here when missing)."""
    mine = corpus_for(size)
    theirs = baseline / "data" / "bench" / mine.name
    if theirs.is_symlink() or not theirs.exists():
        theirs.parent.mkdir(parents=True, exist_ok=True)
        if theirs.is_symlink():
            theirs.unlink()
        theirs.symlink_to(mine, target_is_directory=True)
    # the marker written next to the corpus says which version of synthetic.py made it
    marker = mine / ".complete"
    if not (theirs / ".complete").read_text() == marker.read_text():
        raise SystemExit(f"{theirs} is not the corpus of {mine}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--engine", default="native")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--questions", type=int, default=693)
    args = parser.parse_args()
    baseline = args.baseline.resolve()
    share_corpus(baseline, args.size)
    print(f"Machine: {machine()}\n")
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    for number in range(args.rounds):
        for name, root in (("baseline", baseline), ("this", ROOT)):
            print(f"round {number + 1}: {name}...", file=sys.stderr, flush=True)
            built = step(root, "build", str(args.size), args.engine)
            queried = step(root, "query", str(args.size), args.engine, str(args.questions))
            runs[name].append({**built, **queried})
            print(json.dumps({name: runs[name][-1]}), file=sys.stderr, flush=True)
    keys = ("build_s", "search_p50_ms", "search_p95_ms", "scoring_p50_ms", "first_answer_s")
    rows = []
    for name in runs:
        rows.append(
            {"checkout": name} | {k: statistics.median(r[k] for r in runs[name]) for k in keys}
        )
    ratio = {"checkout": "this / baseline"}
    ratio |= {k: f"{rows[1][k] / rows[0][k]:.2f}" for k in keys if rows[0][k]}
    print(table([*rows, ratio]))
    print(
        f"\n{args.size:,} passages, {args.engine}, median of {args.rounds} rounds "
        f"(data under {WORK})"
    )


if __name__ == "__main__":
    main()
