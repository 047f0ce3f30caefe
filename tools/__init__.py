"""Developer tools: the fake Telegram Bot API (run it by hand, or from tests and benchmarks),
a harness running the real bot against it, and query-log helpers."""
