"""Tests of the querylog room."""
