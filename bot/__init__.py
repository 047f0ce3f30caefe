"""Everything that faces people: the command line (cli/), the console (console/), the
Telegram bot (telegram/) and the query log (querylog/), with the settings, events and Arabic
messages they share."""
