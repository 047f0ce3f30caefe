"""Arabic passage retrieval: pure and synchronous. Documents in, Answer out."""
