"""The terminal: the interactive console (repl), its rendering, and the ask --json contract."""
