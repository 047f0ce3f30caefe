"""What the tests share: paths, the end-to-end corpus, query-log and fault helpers."""
