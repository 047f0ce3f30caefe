"""The bot's handlers, by kind of update: gate (allow-list, rate limit), questions, buttons,
commands, inline mode, errors. app.py registers them."""
