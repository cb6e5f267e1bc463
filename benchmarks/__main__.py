"""Entry point of `make bench` (`python -m benchmarks`): prints ONE JSON object on stdout.

    python -m benchmarks                 # everything, full size (the PDF batch is 1,000 documents)
    python -m benchmarks --quick         # a 50-document batch and fewer naive runs, for dev loops
    python -m benchmarks --batch 200     # a batch of that many documents
    python -m benchmarks --only household_batch --households 200   # a project of 200 households
    python -m benchmarks --only pdf      # just the named benchmark(s)
    python -m benchmarks --only scale --scale-projects 100000   # pages of a province, on PostgreSQL

Each benchmark is a function in ``BENCHMARKS`` taking the parsed options and returning
``(results, targets, met)``: its results go under its name, its targets and whether each is met
into the shared ``targets`` and ``met`` (keys prefixed with the benchmark's name). Progress goes
to stderr, so stdout stays one JSON object.
"""

import argparse
import json
import os
import sys

from . import household_batch, onboarding, pdf, queue, scale

# name -> benchmark
BENCHMARKS = {
    "pdf": pdf.run,
    "household_batch": household_batch.run,
    "queue": queue.bench,
    "onboarding": onboarding.bench,
    "scale": scale.bench,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small batch, fewer slow runs")
    parser.add_argument("--batch", type=int, metavar="N", help="documents in the PDF batch")
    parser.add_argument(
        "--households", type=int, metavar="N", help="households in the household batch (1,000)"
    )
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME")
    parser.add_argument("--projects", type=int, metavar="N", help="projects in the queue benchmark")
    parser.add_argument(
        "--scale-projects",
        type=int,
        metavar="N",
        help="projects of the province the scale benchmark seeds once on PostgreSQL and reuses "
        "(default: QIYUE_BENCH_SCALE_PROJECTS; unset, the scale benchmark is skipped)",
    )
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiyue.settings")
    import django

    django.setup()

    output = {}
    targets, met = {}, {}
    for name in options.only or BENCHMARKS:
        results, bench_targets, bench_met = BENCHMARKS[name](options)
        output[name] = results
        targets.update(bench_targets)
        met.update(bench_met)
    output["targets"] = targets
    output["met"] = met
    output["all_met"] = all(met.values())
    json.dump(output, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
