"""python -m bench [--small] [--backend sqlite|postgres|all]: run the benchmarks, one JSON line each."""
from __future__ import annotations

import argparse
import json
import sys

from bench import summary_bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--small", action="store_true", help="a tiny data set, for a quick smoke run")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all",
                        help="PostgreSQL needs BENCH_DATABASE_URL or TEST_DATABASE_URL")
    args = parser.parse_args(argv)
    size = summary_bench.SMALL if args.small else summary_bench.FULL
    backends = ("sqlite", "postgres") if args.backend == "all" else (args.backend,)
    for backend in backends:
        print(json.dumps(summary_bench.run(backend, size), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
