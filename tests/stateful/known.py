"""Open findings the fuzzer steps around, so it keeps looking past them.

Each entry names the failing regression test in test_findings.py that tracks it; when the
owning layer fixes the bug, delete the entry and the fuzzer exercises that path again.
"""

from __future__ import annotations

STALE_CONNECTION_LINKS = True
"""L2capBearer._link and Smp._link make (and keep) per-connection state for a closed Connection,
replacing the live link of a reused handle: test_l2cap_connect_on_a_closed_connection_*,
test_l2cap_connect_on_a_stale_connection_*, test_smp_pair_on_a_closed_connection_*,
test_smp_pair_on_a_stale_connection_*. While open, L2CAP and SMP calls get live connections only."""
