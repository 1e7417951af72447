"""Findings in other layers' code that already have a failing regression test.

The smoke test tolerates exactly these (matched on harness and message) so each open bug fails
one test, the regression test named here. Remove an entry when its bug is fixed.
"""

from __future__ import annotations

KNOWN_FINDINGS: dict[str, list[tuple[str, str]]] = {
    "l2cap_signaling": [
        ("signalling identifier 0 is never valid",
         "tests/robustness/test_fuzz_findings.py::test_l2cap_unknown_command_with_identifier_zero_is_not_answered_with_identifier_zero"),
    ],
    "l2cap_coc": [
        ("signalling identifier 0 is never valid",
         "tests/robustness/test_fuzz_findings.py::test_l2cap_unknown_command_with_identifier_zero_is_not_answered_with_identifier_zero"),
    ],
}


def is_known(harness: str, message: str) -> bool:
    return any(text in message for text, _test in KNOWN_FINDINGS.get(harness, []))
