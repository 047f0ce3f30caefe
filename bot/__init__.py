"""Ways people reach the retriever: console, command line (and later Telegram and the log)."""
