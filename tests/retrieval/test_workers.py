"""Worker processes hand results back in order, however slowly the caller reads them."""

from __future__ import annotations

import time

from retrieval.index.workers import ordered_map


def test_results_come_in_order_to_a_slow_reader():
    results = []
    for value in ordered_map(abs, range(-12, 0), workers=2):
        time.sleep(0.03)  # meanwhile the workers finish everything in flight
        results.append(value)
    assert results == list(range(12, 0, -1))


def test_results_come_in_order_to_a_fast_reader():
    assert list(ordered_map(len, (["x"] * n for n in range(40)), workers=2)) == list(range(40))
