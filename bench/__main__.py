"""python -m bench [--small] [--backend sqlite|postgres|all] [--only NAME …]: one JSON line per result.

Each benchmark module has `results(small: bool, backends: tuple[str, ...])` yielding dicts.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys

BENCHES = {
    "summary": "bench.summary_bench",
    "fanout": "bench.fanout",
    "latency": "bench.latency",
    "workers": "bench.workers",
    "rate": "bench.send_rate",
    "pairs": "bench.pairs_bench",
    "dashboard": "bench.dashboard_bench",
    "faults": "bench.faults",
    "platform": "bench.platform_faults",
    "metrics": "bench.metrics_bench",
    "pulses": "bench.pulses_bench",
    "scrub": "bench.scrub_eval",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--small", action="store_true", help="a tiny size, for a quick smoke run (CI)")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all",
                        help="PostgreSQL needs BENCH_DATABASE_URL or TEST_DATABASE_URL")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), help="run only these benchmarks")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgres") if args.backend == "all" else (args.backend,)
    broken = 0
    for name in args.only or BENCHES:
        module = importlib.import_module(BENCHES[name])
        for result in module.results(args.small, backends):
            print(json.dumps({"bench": name, **result}, ensure_ascii=False), flush=True)
            broken += "error" in result  # a bench that could not run (a target missed is not an error)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
