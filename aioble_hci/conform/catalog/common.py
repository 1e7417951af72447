"""Checks the catalog's cases share."""

from __future__ import annotations

from typing import Any

from aioble_hci.att import pdus as att

from ..verdicts import CaseFailed


def expect_error(answer: Any, request_opcode: int, handle: int | None, code: int, rule: str = "") -> att.ErrorRsp:
    """The answer must be an ATT Error Response for `request_opcode` with `code` (and `handle`, when given)."""
    want = att.ErrorCode(code).name
    if not isinstance(answer, att.ErrorRsp):
        raise CaseFailed(f"the IUT answered {type(answer).__name__} where Error Response {want} was due")
    if answer.request_opcode != request_opcode:
        raise CaseFailed(f"the Error Response names request opcode 0x{answer.request_opcode:02X}, "
                         f"not 0x{request_opcode:02X}")
    if answer.error_code != code:
        raise CaseFailed(f"the IUT answered {att.ErrorCode(answer.error_code).name}, the rule requires {want}")
    if handle is not None and answer.attribute_handle != handle:
        raise CaseFailed(f"the Error Response names handle 0x{answer.attribute_handle:04X}, "
                         f"not 0x{handle:04X}")
    return answer


def expect_type(answer: Any, kind: type) -> Any:
    if isinstance(answer, att.ErrorRsp):
        raise CaseFailed(f"the IUT answered Error Response {att.ErrorCode(answer.error_code).name} "
                         f"(handle 0x{answer.attribute_handle:04X}) where {kind.__name__} was due")
    if not isinstance(answer, kind):
        raise CaseFailed(f"the IUT answered {type(answer).__name__} where {kind.__name__} was due")
    return answer
