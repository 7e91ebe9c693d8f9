"""Benchmarks for `make bench`: ratios and query counts, never absolute pass/fail times."""
