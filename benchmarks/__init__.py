"""Qiyue benchmarks (`make bench`, `python -m benchmarks`): each measures ours beside the stock
approach in the same run and prints one JSON object; see ``benchmarks/__main__.py``."""
