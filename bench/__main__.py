"""`python -m bench [NAME…]`: run every benchmark module (bench/bench_*.py) in name order."""

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(names: list[str]) -> int:
    """Run the chosen benchmarks (all by default); each module's run() prints its own line."""
    here = Path(__file__).parent
    modules = sorted(
        info.name for info in pkgutil.iter_modules([str(here)]) if info.name.startswith("bench_")
    )
    chosen = [name for name in modules if not names or any(n in name for n in names)]
    started = time.monotonic()
    failed = 0
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        try:
            module.run()
        except Exception as error:  # one failing benchmark must not hide the others
            failed += 1
            print(f"{name}: FAILED: {error}", flush=True)
    elapsed = time.monotonic() - started
    print(f"benchmarks: {len(chosen) - failed} ran, {failed} failed in {elapsed:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
