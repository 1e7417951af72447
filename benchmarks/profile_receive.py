"""cProfile of the host receive path (workload 1): `python -m benchmarks.profile_receive [N] [--bumble]`.

Only the feeding of the prebuilt ACL packets is profiled (not the connection set-up); prints
the functions by own time and by cumulative time.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys

from benchmarks import receive


def main(argv: list[str]) -> int:
    n = int(next((a for a in argv if a.isdigit()), "20000"))
    run = receive._theirs if "--bumble" in argv else receive._ours
    profiler = cProfile.Profile()
    rate = asyncio.run(run(n, profiler))
    print(f"{n} notifications, {rate:,.0f}/s under the profiler")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
