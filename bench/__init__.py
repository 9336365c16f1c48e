"""Benchmarks: `make bench` (or `python -m bench`) prints one JSON line per measurement."""
