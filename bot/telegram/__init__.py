"""The Telegram front end: app (Application and handler table), context (typed shared
resources), handlers/ by kind of update, format (Telegram HTML), request (retry policy),
ratelimit, recent answers, keyboards, corpus watch, and run (the `marjaa bot` process)."""
