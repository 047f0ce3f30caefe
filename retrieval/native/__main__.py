"""`python -m retrieval.native`: build the compiled core (the Makefile runs it at install)."""

from retrieval.native import main

raise SystemExit(main())
