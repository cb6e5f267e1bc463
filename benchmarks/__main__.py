"""Entry point of `python -m benchmarks`: prints the results as JSON on stdout.

Placeholder: no benchmarks yet, so the list is empty.
"""

import json
import sys


def main() -> int:
    json.dump({"benchmarks": []}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
