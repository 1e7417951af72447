"""cProfile of one of our workloads 2-4: `python -m benchmarks.profile_workload KIND [N] [--sort KEY]`.

KIND: `e2e_awaited`, `e2e_pipelined` (N notifications), `l2cap_512`, `l2cap_4096` (N SDUs),
`adv_legacy`, `adv_extended` (N reports). The whole workload function runs under the profiler,
connection set-up included (a few hundred calls against tens of thousands per packet); prints the
functions by own time (or by KEY: cumulative, ncalls). Workload 1 has `benchmarks.profile_receive`.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys
from collections.abc import Awaitable, Callable

from benchmarks import adv_ingest, end_to_end, l2cap_coc

Workload = Callable[[], Awaitable[float]]


def _adv(make: Callable[[int], list[bytes]]) -> Callable[[int], Workload]:
    def prepare(n: int) -> Workload:
        events = make(n)  # built before the profiler starts
        return lambda: adv_ingest._ours(events)

    return prepare


# KIND: (default N, prepare(N) -> the workload to profile)
KINDS: dict[str, tuple[int, Callable[[int], Workload]]] = {
    "e2e_awaited": (3000, lambda n: lambda: end_to_end._ours(n, False)),
    "e2e_pipelined": (3000, lambda n: lambda: end_to_end._ours(n, True)),
    "l2cap_512": (1500, lambda n: lambda: l2cap_coc._ours(512, n)),
    "l2cap_4096": (200, lambda n: lambda: l2cap_coc._ours(4096, n)),
    "adv_legacy": (20000, _adv(adv_ingest.legacy_events)),
    "adv_extended": (20000, _adv(adv_ingest.extended_events)),
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in KINDS:
        print(f"usage: python -m benchmarks.profile_workload {{{','.join(KINDS)}}} [N] [--sort KEY]")
        return 2
    default_n, prepare = KINDS[argv[0]]
    n = int(next((a for a in argv[1:] if a.isdigit()), default_n))
    workload = prepare(n)
    sort = argv[argv.index("--sort") + 1] if "--sort" in argv[:-1] else "tottime"
    profiler = cProfile.Profile()

    async def run() -> float:
        profiler.enable()
        try:
            return await workload()
        finally:
            profiler.disable()

    rate = asyncio.run(run())
    print(f"{argv[0]}, N={n}: {rate:,.2f} per second under the profiler")
    pstats.Stats(profiler).sort_stats(sort).print_stats(35)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
