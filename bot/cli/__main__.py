"""`python -m bot.cli`: the `marjaa` command without its entry-point script."""

import sys

from bot.cli.main import main

sys.exit(main())
