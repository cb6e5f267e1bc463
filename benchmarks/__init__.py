"""Qiyue benchmarks (`make bench`, `python -m benchmarks`). Placeholder until real ones land."""
