"""`python -m retrieval.native` (make install): compile the core now, or say why not."""

import sys

from retrieval.native import library

sys.exit(0 if library is not None else "retrieval.native: cannot compile with gcc")
