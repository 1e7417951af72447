"""Issue 19 (3): every catalog case can fail. Our peripheral breaks one rule per case (a
FaultyTransport rewrites one PDU it sends or receives, or the IUT is misconfigured) and the case
must fail, and for the right reason (the expected words appear in its verdict)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from aioble_hci.conform import Runner, Verdict
from aioble_hci.conform.catalog import CATALOG
from tests.conform.faulty import Rule
from tests.conform.our_iut import OurIut


def _is(cid_code: int) -> Callable[[bytes], bool]:
    return lambda p: bool(p) and p[0] == cid_code


def att_error(request: int, code: int) -> Rule:
    """The IUT answers `request` with Error Response `code` instead of the right one."""
    return Rule("egress", 4, lambda p: len(p) == 5 and p[0] == 0x01 and p[1] == request,
                lambda p: p[:4] + bytes([code]))


def att_replace(opcode: int, pdu: bytes) -> Rule:
    return Rule("egress", 4, _is(opcode), lambda p: pdu)


def flip_last(cid: int, code: int, direction: str = "egress") -> Rule:
    return Rule(direction, cid, _is(code), lambda p: p[:-1] + bytes([p[-1] ^ 0xFF]))


def at(cid: int, code: int, offset: int, value: bytes, direction: str = "egress") -> Rule:
    """Overwrite the PDU's bytes at `offset`."""
    return Rule(direction, cid, _is(code), lambda p: p[:offset] + value + p[offset + len(value):])


def drop(cid: int, code: int, direction: str = "egress") -> Rule:
    return Rule(direction, cid, _is(code), lambda p: None)


def rewrite(cid: int, code: int, pdu: bytes, direction: str = "egress") -> Rule:
    return Rule(direction, cid, _is(code), lambda p: pdu)


def reject_reason(reason: bytes) -> Rule:
    """The IUT's Command Reject carries another reason."""
    return Rule("egress", 5, _is(0x01), lambda p: p[:1] + p[1:2] + bytes([len(reason), 0]) + reason)


def l2cap_result(code: int, old: int, new: int) -> Rule:
    """Signalling response `code` whose last two octets are the result `old` says `new`."""
    return Rule("egress", 5, lambda p: bool(p) and p[0] == code and p[-2:] == old.to_bytes(2, "little"),
                lambda p: p[:-2] + new.to_bytes(2, "little"))


def smp_reason(old: int, new: int) -> Rule:
    return Rule("egress", 6, lambda p: p == bytes([0x05, old]), lambda p: bytes([0x05, new]))


def auth_req_bits(bits: int) -> Rule:
    return Rule("egress", 6, _is(0x02), lambda p: p[:3] + bytes([p[3] | bits]) + p[4:])


async def flags_in_scan_response(iut: OurIut) -> None:
    await iut.gap.stop_advertising()
    iut.scan_response = b"\x02\x01\x06"
    await iut.advertise()


async def malformed_ad(iut: OurIut) -> None:
    await iut.gap.stop_advertising()
    iut.adv_data = b"\x02\x01\x06\x09\x09iut"
    await iut.advertise()


async def drop_every_connection(iut: OurIut) -> None:
    iut.gap.on_connected(lambda conn: iut._spawn(iut.gap.disconnect(conn)))


@dataclass
class Fault:
    rules: list[Rule]
    reason: str
    setup: Callable[[OurIut], Awaitable[None]] | None = None
    notes: list[str] = field(default_factory=list)


NOT_FOUND = b"\x01\x08\x01\x00\x0a"
FAULTS: dict[str, Fault] = {
    # GATT/SR
    "GATT/SR/GAC/BV-01-C": Fault([rewrite(4, 0x03, b"\x03\x16\x00")], "below the LE minimum"),
    "GATT/SR/GAD/BV-01-C": Fault([att_error(0x10, 0x01)], "requires ATTRIBUTE_NOT_FOUND"),
    "GATT/SR/GAD/BV-02-C": Fault([at(4, 0x07, 1, b"\x7f")], "is missing from"),
    "GATT/SR/GAD/BV-03-C": Fault([at(4, 0x09, 4, b"\xff\x00")], "is not a handle range"),
    "GATT/SR/GAD/BV-04-C": Fault([at(4, 0x09, 5, b"\x7e")], "does not follow its declaration"),
    "GATT/SR/GAD/BV-05-C": Fault([att_replace(0x09, NOT_FOUND)], "where ReadByTypeRsp was due"),
    "GATT/SR/GAD/BV-06-C": Fault([at(4, 0x05, 2, b"\x01\x00")], "outside the requested range"),
    "GATT/SR/GAR/BV-01-C": Fault([flip_last(4, 0x0B)], "where the value is"),
    "GATT/SR/GAR/BI-01-C": Fault([att_error(0x0A, 0x05)], "requires READ_NOT_PERMITTED"),
    "GATT/SR/GAR/BI-02-C": Fault([att_error(0x0A, 0x0A)], "requires INVALID_HANDLE"),
    "GATT/SR/GAR/BI-04-C": Fault([att_replace(0x01, b"\x0bsecret")], "not Insufficient Authentication"),
    "GATT/SR/GAR/BV-03-C": Fault([flip_last(4, 0x09)], "Read By Type gave"),
    "GATT/SR/GAR/BI-06-C": Fault([att_error(0x08, 0x0A)], "requires READ_NOT_PERMITTED"),
    "GATT/SR/GAR/BI-07-C": Fault([att_error(0x08, 0x01)], "requires ATTRIBUTE_NOT_FOUND"),
    "GATT/SR/GAR/BI-08-C": Fault([att_error(0x08, 0x0A)], "requires INVALID_HANDLE"),
    "GATT/SR/GAR/BV-04-C": Fault([Rule("egress", 4, _is(0x0B), lambda p: p[:11])], "long value"),
    "GATT/SR/GAR/BI-12-C": Fault([att_error(0x0C, 0x07)], "requires READ_NOT_PERMITTED"),
    "GATT/SR/GAR/BI-13-C": Fault([att_error(0x0C, 0x01)], "requires INVALID_OFFSET"),
    "GATT/SR/GAR/BI-14-C": Fault([att_error(0x0C, 0x07)], "requires INVALID_HANDLE"),
    "GATT/SR/GAR/BV-05-C": Fault([flip_last(4, 0x0F)], "Read Multiple gave"),
    "GATT/SR/GAR/BI-18-C": Fault([att_error(0x0E, 0x01)], "requires READ_NOT_PERMITTED"),
    "GATT/SR/GAR/BI-19-C": Fault([att_error(0x0E, 0x0A)], "requires INVALID_HANDLE"),
    "GATT/SR/GAR/BV-06-C": Fault([rewrite(4, 0x0B, b"\x0b\x01\x00")], "not 0000"),
    "GATT/SR/GAW/BV-01-C": Fault([drop(4, 0x52, "ingress")], "after Write Command"),
    "GATT/SR/GAW/BV-03-C": Fault([flip_last(4, 0x12, "ingress")], "after Write Request"),
    "GATT/SR/GAW/BI-02-C": Fault([att_error(0x12, 0x03)], "requires INVALID_HANDLE"),
    "GATT/SR/GAW/BI-03-C": Fault([att_error(0x12, 0x01)], "requires WRITE_NOT_PERMITTED"),
    "GATT/SR/GAW/BV-05-C": Fault([flip_last(4, 0x17)], "does not echo"),
    "GATT/SR/GAW/BI-07-C": Fault([att_error(0x16, 0x03)], "requires INVALID_HANDLE"),
    "GATT/SR/GAW/BI-08-C": Fault([att_error(0x16, 0x01)], "requires WRITE_NOT_PERMITTED"),
    "GATT/SR/GAW/BI-09-C": Fault([att_error(0x16, 0x0D), att_error(0x18, 0x0D)], "requires INVALID_OFFSET"),
    "GATT/SR/GAW/BV-07-C": Fault([rewrite(4, 0x18, b"\x18\x01", "ingress")], "prepared writes were cancelled"),
    "GATT/SR/GAW/BV-11-C": Fault([rewrite(4, 0x19, b"\x01\x18\x00\x00\x0e")], "where ExecuteWriteRsp was due"),
    "GATT/SR/GAW/BI-32-C": Fault([att_error(0x12, 0x03)], "requires INVALID_ATTRIBUTE_VALUE_LENGTH"),
    "GATT/SR/GAW/BI-33-C": Fault([att_error(0x16, 0x0E), att_error(0x18, 0x0E)],
                                 "requires INVALID_ATTRIBUTE_VALUE_LENGTH"),
    "GATT/SR/GAN/BV-01-C": Fault([at(4, 0x1B, 1, b"\x7f")], "notification of"),
    "GATT/SR/GAI/BV-01-C": Fault([at(4, 0x1D, 1, b"\x7f")], "indication of"),
    "GATT/SR/UNS/BI-01-C": Fault([att_error(0x3E, 0x0A)], "requires REQUEST_NOT_SUPPORTED"),
    "GATT/SR/UNS/BI-02-C": Fault([rewrite(4, 0x7E, b"\x0a\x01\x00", "ingress")], "must stay silent"),
    # ATT bad input
    "AIOBLE/ATT/BI-01": Fault([att_error(0x0A, 0x01)], "requires INVALID_PDU"),
    "AIOBLE/ATT/BI-02": Fault([att_error(0x04, 0x0A)], "requires INVALID_HANDLE"),
    "AIOBLE/ATT/BI-03": Fault([att_error(0x10, 0x0A)], "requires UNSUPPORTED_GROUP_TYPE"),
    "AIOBLE/ATT/BI-04": Fault([att_error(0x06, 0x0A)], "requires INVALID_HANDLE"),
    "AIOBLE/ATT/BI-05": Fault([rewrite(4, 0x02, b"\x02\x00\x01", "ingress")], "after MTU 22"),
    "AIOBLE/ATT/BI-06": Fault([att_error(0x12, 0x13)], "requires INVALID_ATTRIBUTE_VALUE_LENGTH"),
    "AIOBLE/ATT/BI-07": Fault([att_error(0x0E, 0x01)], "requires INVALID_PDU"),
    "AIOBLE/ATT/BI-08": Fault([Rule("ingress", 4, lambda p: p == b"", lambda p: b"\x0a\x01\x00")], "must stay silent"),
    "AIOBLE/ATT/BI-09": Fault([rewrite(4, 0x1E, b"\x0a\x01\x00", "ingress")], "must stay silent"),
    "AIOBLE/ATT/BI-10": Fault([att_error(0x08, 0x0A)], "requires INVALID_PDU"),
    "GATT/CL/GAI/BV-01-C": Fault([drop(4, 0x1E)], "no Handle Value Confirmation"),
    "GATT/CL/GAN/BV-01-C": Fault([at(4, 0x1B, 0, b"\x1d", "ingress")], "must stay silent"),
    **{f"GATT/CL/GAR/BI-0{n}-C": Fault([Rule("ingress", 4, lambda p: p[:2] == b"\x01\x0a", lambda p: p[:4] + b"\x0e")],
                                       "the IUT's client reported 14") for n in range(1, 6)},
    # L2CAP
    "L2CAP/LE/CPU/BI-02-C": Fault([reject_reason(b"\x01\x00\x17\x00")], "the rule requires 0x0000"),
    "L2CAP/LE/REJ/BI-02-C": Fault([reject_reason(b"\x01\x00\x17\x00")], "the rule requires 0x0000"),
    "AIOBLE/L2CAP/REJ/BI-01": Fault([reject_reason(b"\x01\x00\x17\x00")], "the rule requires 0x0000"),
    "L2CAP/LE/CFC/BV-03-C": Fault([at(5, 0x15, 4, b"\x30\x00")], "outside the LE dynamic range"),
    "L2CAP/LE/CFC/BV-05-C": Fault([l2cap_result(0x15, 0x0002, 0x0004)], "the rule requires 0x0002"),
    "L2CAP/LE/CFC/BV-06-C": Fault([at(5, 0x14, 12, b"\x05\x00", "ingress")], "must stay silent"),
    "L2CAP/LE/CFC/BI-01-C": Fault([drop(5, 0x06)], "did not disconnect the channel"),
    "L2CAP/LE/CFC/BV-20-C": Fault([l2cap_result(0x15, 0x000A, 0x0004)], "the rule requires 0x000A"),
    "AIOBLE/L2CAP/CFC/BI-02": Fault([l2cap_result(0x15, 0x0009, 0x0004)], "the rule requires 0x0009"),
    "L2CAP/LE/CFC/BV-23-C": Fault([reject_reason(b"\x00\x00")], "the rule requires 0x0002"),
    "L2CAP/LE/CFC/BV-26-C": Fault([drop(5, 0x06)], "did not disconnect the channel"),
    "L2CAP/LE/CFC/BV-27-C": Fault([drop(5, 0x06)], "did not disconnect the channel"),
    "L2CAP/LE/CFC/BV-28-C": Fault([drop(5, 0x06)], "did not disconnect the channel"),
    "L2CAP/LE/CFC/BV-25-C": Fault([l2cap_result(0x15, 0x0008, 0x0000)], "on an unencrypted link"),
    "L2CAP/LE/CFC/BV-11-C": Fault([l2cap_result(0x15, 0x0005, 0x0008)], "the rule requires 0x0005"),
    "AIOBLE/L2CAP/CFC/BI-01": Fault([Rule("egress", 5, _is(0x15), lambda p: p[:-2] + b"\x00\x00")],
                                    "accepted a channel with MTU 22"),
    "AIOBLE/L2CAP/SIG/BI-01": Fault([rewrite(5, 0x01, b"\x07\x01\x04\x00\x40\x00\x40\x00")], "must stay silent"),
    "L2CAP/ECFC/BI-03-C": Fault([l2cap_result(0x1A, 0x0001, 0x0000)], "the rule requires 0x0001"),
    "L2CAP/ECFC/BI-05-C": Fault([l2cap_result(0x1A, 0x0003, 0x0000)], "the rule requires 0x0003"),
    "L2CAP/LE/CPU/BV-02-C": Fault([l2cap_result(0x13, 0x0000, 0x0001)], "rejected valid parameters"),
    "L2CAP/LE/CPU/BI-01-C": Fault([l2cap_result(0x13, 0x0001, 0x0000)], "the rule requires 0x0001"),
    "AIOBLE/L2CAP/REJ/BI-02": Fault([reject_reason(b"\x01\x00\x17\x00")], "the rule requires 0x0000"),
    # SM
    "SM/PER/JW/BV-02-C": Fault([flip_last(6, 0x03)], "does not match its Pairing Confirm"),
    "SM/PER/JW/BI-03-C": Fault([auth_req_bits(0x40)], "sets RFU bits"),
    "SM/PER/JW/BI-02-C": Fault([smp_reason(0x04, 0x08)], "requires CONFIRM_VALUE_FAILED"),
    "SM/PER/PKE/BV-02-C": Fault([flip_last(6, 0x04)], "does not match its Pairing Confirm"),
    "SM/PER/PKE/BI-03-C": Fault([smp_reason(0x04, 0x01)], "requires CONFIRM_VALUE_FAILED"),
    "SM/PER/SCJW/BV-02-C": Fault([flip_last(6, 0x0D)], "DHKey check value is wrong"),
    "SM/PER/SCJW/BV-03-C": Fault([auth_req_bits(0x80)], "sets RFU bits"),
    "SM/PER/SCJW/BI-02-C": Fault([smp_reason(0x0B, 0x08)], "requires DHKEY_CHECK_FAILED"),
    "SM/PER/SCPK/BV-02-C": Fault([flip_last(6, 0x03)], "does not match its Pairing Confirm"),
    "SM/PER/SCPK/BI-03-C": Fault([smp_reason(0x04, 0x01)], "requires CONFIRM_VALUE_FAILED"),
    "SM/PER/EKS/BI-02-C": Fault([smp_reason(0x06, 0x08)], "requires ENCRYPTION_KEY_SIZE"),
    "SM/PER/KDU/BI-01-C": Fault([drop(6, 0x05)], "no SMP PDU"),
    "SM/PER/KDU/BV-07-C": Fault([flip_last(6, 0x07)], "encryption with the distributed LTK failed"),
    "SM/PER/KDU/BV-01-C": Fault([drop(6, 0x08)], "where IdentityInformation was due"),
    "AIOBLE/SM/BI-01": Fault([smp_reason(0x07, 0x08)], "requires COMMAND_NOT_SUPPORTED"),
    "AIOBLE/SM/BI-02": Fault([smp_reason(0x0A, 0x08)], "requires INVALID_PARAMETERS"),
    "SM/CEN/PIS/BV-03-C": Fault([drop(6, 0x01)], "no SMP PDU"),
    "SM/CEN/JW/BV-01-C": Fault([flip_last(6, 0x03)], "does not match its Pairing Confirm"),
    "SM/CEN/SCJW/BV-01-C": Fault([flip_last(6, 0x0D)], "DHKey check value is wrong"),
    "SM/CEN/JW/BI-06-C": Fault([drop(6, 0x05)], "no SMP PDU"),
    "SM/CEN/EKS/BI-01-C": Fault([smp_reason(0x06, 0x08)], "requires ENCRYPTION_KEY_SIZE"),
    "SM/CEN/KDU/BI-01-C": Fault([drop(6, 0x05)], "no SMP PDU"),
    "SM/CEN/KDU/BI-04-C": Fault([drop(6, 0x05)], "no SMP PDU"),
    # GAP
    "GAP/DISC/GENM/BV-01-C": Fault([], "the scan response carries Flags", flags_in_scan_response),
    "GAP/CONN/UCON/BV-01-C": Fault([], "did not stay connected", drop_every_connection),
    "GAP/GAT/BV-16-C": Fault([att_replace(0x09, NOT_FOUND)], "no Device Name"),
    "GAP/GAT/BV-17-C": Fault([att_replace(0x09, NOT_FOUND)], "no Appearance"),
    "GAP/SEC/AUT/BV-11-C": Fault([att_replace(0x0B, b"\x01\x0a\x00\x00\x0f")], "where ReadRsp was due"),
    "GAP/SEC/AUT/BV-23-C": Fault([att_error(0x0A, 0x05)], "requires INSUFFICIENT_ENCRYPTION"),
    "AIOBLE/GAP/AD/BI-01": Fault([], "past the end", malformed_ad),
}

# Cases our peripheral cannot run (it lacks the feature), so no fault of it can make them fail;
# tests/conform/test_optional_features.py runs them on our peripheral configured with the feature.
NOT_APPLICABLE_TO_OUR_IUT = {"GAP/GAT/BV-04-C", "GAP/PRIV/CONN/BV-10-C"}


def test_every_case_has_a_fault() -> None:
    """A case that cannot fail is not done: each one has a fault here (or is shown failing elsewhere)."""
    assert set(CATALOG.cases) - set(FAULTS) == NOT_APPLICABLE_TO_OUR_IUT
    assert set(FAULTS) <= set(CATALOG.cases)


@pytest.mark.parametrize("case_id", sorted(FAULTS))
async def test_case_fails_when_the_iut_breaks_its_rule(case_id: str, runner: Runner, our_iut: OurIut) -> None:
    """The IUT breaks the rule once; the case's verdict is fail, naming what went wrong."""
    fault = FAULTS[case_id]
    case = CATALOG.cases[case_id]
    if case.iut_role == "peripheral":
        await runner.discover()
    if fault.setup is not None:
        await fault.setup(our_iut)
    assert our_iut.transport is not None
    our_iut.transport.rules = fault.rules
    result = await runner.run_case(case)
    assert result.verdict is Verdict.FAIL, f"{result.verdict}: {result.reason}"
    assert fault.reason in result.reason
    assert case.rule in result.reason
    assert not fault.rules or any(rule.hits for rule in fault.rules), "the fault never struck: the case did not meet it"
