"""Developer tools: the fake Telegram Bot API (run it by hand, or from tests and benchmarks),
harnesses running the real bot against it (in this process, or `marjaa bot` as a subprocess,
killed and restarted by the kill test), and query-log helpers."""
