"""Verdicts of a conformance case and the exceptions a case raises to give one.

A case passes when it returns. It fails (`CaseFailed`) when the IUT broke the rule the case
checks, is inconclusive (`CaseInconclusive`) when the exchange could not reach the point where
the rule applies (e.g. the link dropped for an unrelated reason), and is not applicable
(`NotApplicable`) when the IUT does not offer what the case needs: never a failure.
"""

from __future__ import annotations

from enum import StrEnum

from aioble_hci.errors import RemoteProtocolError


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"
    NOT_APPLICABLE = "not applicable"


class CaseOutcome(RemoteProtocolError):
    """A case ended with a verdict other than pass; the message says why.

    A remote error: each verdict is about the IUT, the tester's remote side (it broke the rule,
    the exchange with it could not reach the rule, or it does not offer what the case needs).
    """

    verdict: Verdict


class CaseFailed(CaseOutcome):
    verdict = Verdict.FAIL


class CaseInconclusive(CaseOutcome):
    verdict = Verdict.INCONCLUSIVE


class NotApplicable(CaseOutcome):
    verdict = Verdict.NOT_APPLICABLE


def check(condition: object, message: str) -> None:
    """Fail the case with `message` unless `condition` holds."""
    if not condition:
        raise CaseFailed(message)
