"""Indexes of a corpus: the one build pipeline (build), its analysis (encode), the records of
documents and passages (records), saved indexes (store) and worker processes (workers)."""
