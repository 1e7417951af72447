"""Findings in other layers' code that already have a failing regression test.

The smoke test tolerates exactly these (matched on harness and message) so each open bug fails
one test, the regression test named here. Remove an entry when its bug is fixed.
"""

from __future__ import annotations

KNOWN_FINDINGS: dict[str, list[tuple[str, str]]] = {
    # harness name: [(text in the finding's message, the failing regression test), ...]
    # Empty: the four findings so far (see docs/robustness.md) are fixed in the tree.
}


def is_known(harness: str, message: str) -> bool:
    return any(text in message for text, _test in KNOWN_FINDINGS.get(harness, []))
