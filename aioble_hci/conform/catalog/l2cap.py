"""L2CAP/LE: signalling, connection parameter update and credit-based channels (Core Vol 3 Part A).

LE CoC cases need an SPSM from the IXIT ([l2cap] spsm), the flow-control case also an IUT that
echoes what it receives ([l2cap] echo = true).
"""

from __future__ import annotations

import struct

from aioble_hci.l2cap import pdus as l2
from aioble_hci.l2cap.pdus import SignalingCode as S

from ..case import case
from ..context import CaseContext
from ..link import TesterLink
from ..verdicts import CaseFailed, NotApplicable, check

SCID = 0x0040
OUR_MTU = 512
OUR_MPS = 200
PER = "IUT peripheral, L2CAP"
CEN = "IUT central, L2CAP"


def _spsm(ctx: CaseContext) -> int:
    return int(ctx.need(ctx.ixit.l2cap.spsm, "LE credit-based SPSM (IXIT [l2cap] spsm)"))


async def _reject(link: TesterLink, identifier: int, reason: int) -> l2.CommandRejectRsp:
    raw = await link.expect_signal(S.L2CAP_COMMAND_REJECT_RSP, identifier)
    reject = l2.CommandRejectRsp.from_bytes(raw.data)
    check(reject.reason == reason, f"Command Reject reason 0x{reject.reason:04X}, the rule requires 0x{reason:04X}")
    return reject


async def open_channel(ctx: CaseContext, spsm: int, credits: int = 10, scid: int = SCID,
                       mtu: int = OUR_MTU, mps: int = OUR_MPS) -> l2.LeCreditBasedConnectionRsp:
    """LE Credit Based Connection Request; the IUT's response (whatever its result)."""
    ident = ctx.link.send_signal(l2.LeCreditBasedConnectionReq(spsm, scid, mtu, mps, credits))
    raw = await ctx.link.expect_signal(S.L2CAP_LE_CREDIT_BASED_CONNECTION_RSP, ident)
    try:
        return l2.LeCreditBasedConnectionRsp.from_bytes(raw.data)
    except l2.L2capDecodeError as exc:
        raise CaseFailed(f"malformed LE Credit Based Connection Response: {exc}") from None


async def opened(ctx: CaseContext, credits: int = 10) -> l2.LeCreditBasedConnectionRsp:
    rsp = await open_channel(ctx, _spsm(ctx), credits)
    if rsp.result != 0:
        raise NotApplicable(f"the IUT refused a channel on its SPSM (result 0x{rsp.result:04X})")
    return rsp


async def expect_channel_disconnect(ctx: CaseContext, dcid: int) -> None:
    """The IUT must disconnect the channel: an L2CAP Disconnection Request for it (or the ACL link)."""
    try:
        raw = await ctx.link.expect_signal(S.L2CAP_DISCONNECTION_REQ)
    except CaseFailed as exc:
        if "link dropped" in str(exc):
            return
        raise CaseFailed("the IUT did not disconnect the channel") from None
    req = l2.DisconnectionReq.from_bytes(raw.data)
    check((req.destination_cid, req.source_cid) == (SCID, dcid),
          f"Disconnection Request names DCID 0x{req.destination_cid:04X} SCID 0x{req.source_cid:04X}")
    ctx.link.send_signal(l2.DisconnectionRsp(req.destination_cid, req.source_cid), raw.identifier)


def kframe(payload: bytes, sdu_length: int | None = None) -> bytes:
    return (struct.pack("<H", sdu_length) if sdu_length is not None else b"") + payload


@case("L2CAP/LE/CPU/BI-02-C", "Connection Parameter Update Request to a peripheral: rejected",
      "Vol 3 Part A 4.20", roles=PER)
async def cpu_to_peripheral(ctx: CaseContext) -> None:
    ident = ctx.link.send_signal(l2.ConnectionParameterUpdateReq(24, 40, 0, 400))
    await _reject(ctx.link, ident, l2.CommandRejectReason.COMMAND_NOT_UNDERSTOOD)


@case("L2CAP/LE/REJ/BI-02-C", "Unknown signalling command: Command Reject", "Vol 3 Part A 4.1, 4", roles=PER)
async def unknown_command(ctx: CaseContext) -> None:
    ident = ctx.link.next_identifier()
    ctx.link.send_signal(bytes([0x7F, ident, 0x02, 0x00, 0x00, 0x00]))
    await _reject(ctx.link, ident, l2.CommandRejectReason.COMMAND_NOT_UNDERSTOOD)


@case("AIOBLE/L2CAP/REJ/BI-01", "BR/EDR-only signalling command on LE: Command Reject", "Vol 3 Part A 4, Table 4.2",
      roles=PER)
async def bredr_command_on_le(ctx: CaseContext) -> None:
    ident = ctx.link.next_identifier()
    ctx.link.send_signal(bytes([0x02, ident, 0x04, 0x00, 0x01, 0x00, 0x40, 0x00]))  # L2CAP_CONNECTION_REQ
    await _reject(ctx.link, ident, l2.CommandRejectReason.COMMAND_NOT_UNDERSTOOD)


@case("L2CAP/LE/CFC/BV-03-C", "LE credit-based connection and disconnection", "Vol 3 Part A 4.22, 4.23, 4.6, 4.7",
      roles=PER, requires=("spsm",))
async def cfc_connect(ctx: CaseContext) -> None:
    rsp = await opened(ctx)
    check(0x0040 <= rsp.destination_cid <= 0x007F, f"DCID 0x{rsp.destination_cid:04X} outside the LE dynamic range")
    check(rsp.mtu >= 23, f"MTU {rsp.mtu} below 23")
    check(23 <= rsp.mps <= 65533, f"MPS {rsp.mps} outside 23-65533")
    ident = ctx.link.send_signal(l2.DisconnectionReq(rsp.destination_cid, SCID))
    raw = await ctx.link.expect_signal(S.L2CAP_DISCONNECTION_RSP, ident)
    dis = l2.DisconnectionRsp.from_bytes(raw.data)
    check((dis.destination_cid, dis.source_cid) == (rsp.destination_cid, SCID),
          f"Disconnection Response does not echo the request's CIDs: {dis!r}")


@case("L2CAP/LE/CFC/BV-05-C", "LE credit-based connection to an unsupported SPSM", "Vol 3 Part A 4.23",
      roles=PER)
async def cfc_unsupported_spsm(ctx: CaseContext) -> None:
    used = {ctx.ixit.l2cap.spsm, ctx.ixit.l2cap.encrypted_spsm, ctx.ixit.l2cap.authenticated_spsm}
    spsm = next(s for s in range(0xFE, 0x80, -1) if s not in used)
    rsp = await open_channel(ctx, spsm)
    check(rsp.result == l2.LeCreditBasedConnectionResult.SPSM_NOT_SUPPORTED,
          f"result 0x{rsp.result:04X} for SPSM 0x{spsm:02X}, the rule requires 0x0002 (SPSM not supported)")


@case("L2CAP/LE/CFC/BV-06-C", "LE data flow control: the IUT stops at zero credits and resumes on credits",
      "Vol 3 Part A 10.1, 4.24", roles=PER, requires=("spsm", "echo"))
async def cfc_flow_control(ctx: CaseContext) -> None:
    ctx.need(ctx.ixit.l2cap.echo, "echoing LE CoC server (IXIT [l2cap] echo)")
    rsp = await opened(ctx, credits=1)
    dcid = rsp.destination_cid
    check(rsp.initial_credits >= 2, f"the IUT granted {rsp.initial_credits} credits; the case needs 2")
    ctx.link.send(dcid, kframe(b"one", 3))
    ctx.link.send(dcid, kframe(b"two", 3))
    first = await ctx.link.expect(SCID, what="the first echoed K-frame")
    check(first == kframe(b"one", 3), f"echo {first.hex()} is not the first SDU")
    await ctx.link.expect_silence(SCID, ctx.silence)
    ctx.link.send_signal(l2.FlowControlCreditInd(SCID, 1))
    second = await ctx.link.expect(SCID, what="the second echoed K-frame after new credits")
    check(second == kframe(b"two", 3), f"echo {second.hex()} is not the second SDU")


@case("L2CAP/LE/CFC/BI-01-C", "K-frame without credits: the IUT disconnects the channel", "Vol 3 Part A 10.1",
      roles=PER, requires=("spsm",))
async def cfc_credit_overrun(ctx: CaseContext) -> None:
    rsp = await opened(ctx)
    credits = rsp.initial_credits
    sent = 0
    while sent <= credits:  # one K-frame more than every credit the IUT granted, returned ones included
        for raw in ctx.link.take_all(0x0005, bytes([S.L2CAP_FLOW_CONTROL_CREDIT_IND])):
            credits += l2.FlowControlCreditInd.from_bytes(raw[4:]).credits
        ctx.link.send(rsp.destination_cid, kframe(b"x", 1))
        sent += 1
    await expect_channel_disconnect(ctx, rsp.destination_cid)


@case("L2CAP/LE/CFC/BV-20-C", "LE credit-based connection with a source CID already allocated",
      "Vol 3 Part A 4.23", roles=PER, requires=("spsm",))
async def cfc_scid_in_use(ctx: CaseContext) -> None:
    await opened(ctx)
    rsp = await open_channel(ctx, _spsm(ctx))
    check(rsp.result == l2.LeCreditBasedConnectionResult.SOURCE_CID_ALREADY_ALLOCATED,
          f"result 0x{rsp.result:04X} for a reused SCID, the rule requires 0x000A")


@case("AIOBLE/L2CAP/CFC/BI-02", "LE credit-based connection with an invalid source CID", "Vol 3 Part A 4.23",
      roles=PER, requires=("spsm",))
async def cfc_invalid_scid(ctx: CaseContext) -> None:
    rsp = await open_channel(ctx, _spsm(ctx), scid=0x0004)
    check(rsp.result == l2.LeCreditBasedConnectionResult.INVALID_SOURCE_CID,
          f"result 0x{rsp.result:04X} for SCID 0x0004, the rule requires 0x0009 (invalid source CID)")


@case("L2CAP/LE/CFC/BV-23-C", "Disconnection Request for an unknown DCID: Command Reject invalid CID",
      "Vol 3 Part A 4.6, 4.1", roles=PER)
async def disconnect_unknown(ctx: CaseContext) -> None:
    ident = ctx.link.send_signal(l2.DisconnectionReq(0x007E, SCID))
    await _reject(ctx.link, ident, l2.CommandRejectReason.INVALID_CID_IN_REQUEST)


@case("L2CAP/LE/CFC/BV-26-C", "SDU length larger than the IUT's MTU: channel disconnected", "Vol 3 Part A 3.4.3",
      roles=PER, requires=("spsm",))
async def cfc_sdu_over_mtu(ctx: CaseContext) -> None:
    rsp = await opened(ctx)
    ctx.link.send(rsp.destination_cid, kframe(b"x" * min(10, rsp.mps - 2), rsp.mtu + 1))
    await expect_channel_disconnect(ctx, rsp.destination_cid)


@case("L2CAP/LE/CFC/BV-27-C", "K-frame payload larger than the IUT's MPS: channel disconnected",
      "Vol 3 Part A 3.4.3", roles=PER, requires=("spsm",))
async def cfc_payload_over_mps(ctx: CaseContext) -> None:
    rsp = await opened(ctx)
    if rsp.mps + 1 > min(rsp.mtu, 240):
        raise NotApplicable(f"the IUT's MPS {rsp.mps} leaves no room for an over-long K-frame")
    ctx.link.send(rsp.destination_cid, kframe(b"y" * (rsp.mps - 1), rsp.mps + 1))
    await expect_channel_disconnect(ctx, rsp.destination_cid)


@case("L2CAP/LE/CFC/BV-28-C", "K-frames longer than the announced SDU length: channel disconnected",
      "Vol 3 Part A 3.4.3", roles=PER, requires=("spsm",))
async def cfc_segments_over_sdu(ctx: CaseContext) -> None:
    rsp = await opened(ctx)
    ctx.link.send(rsp.destination_cid, kframe(b"abcd", 6))
    ctx.link.send(rsp.destination_cid, kframe(b"efgh"))
    await expect_channel_disconnect(ctx, rsp.destination_cid)


@case("L2CAP/LE/CFC/BV-25-C", "LE credit-based connection to an SPSM needing encryption, on a plain link",
      "Vol 3 Part A 4.23; Part C 10.3", roles=PER, requires=("encrypted-spsm",))
async def cfc_needs_encryption(ctx: CaseContext) -> None:
    spsm = ctx.need(ctx.ixit.l2cap.encrypted_spsm, "SPSM needing encryption (IXIT [l2cap] encrypted_spsm)")
    rsp = await open_channel(ctx, int(spsm))
    check(rsp.result in (l2.LeCreditBasedConnectionResult.INSUFFICIENT_ENCRYPTION,
                         l2.LeCreditBasedConnectionResult.INSUFFICIENT_AUTHENTICATION),
          f"result 0x{rsp.result:04X} on an unencrypted link, the rule requires 0x0008 (or 0x0005)")


@case("L2CAP/LE/CFC/BV-11-C", "LE credit-based connection to an SPSM needing authentication",
      "Vol 3 Part A 4.23; Part C 10.3", roles=PER, requires=("authenticated-spsm",))
async def cfc_needs_authentication(ctx: CaseContext) -> None:
    spsm = ctx.need(ctx.ixit.l2cap.authenticated_spsm, "SPSM needing authentication (IXIT)")
    rsp = await open_channel(ctx, int(spsm))
    check(rsp.result == l2.LeCreditBasedConnectionResult.INSUFFICIENT_AUTHENTICATION,
          f"result 0x{rsp.result:04X}, the rule requires 0x0005 (insufficient authentication)")


@case("AIOBLE/L2CAP/CFC/BI-01", "LE credit-based connection with MTU below 23: refused or disconnected",
      "Vol 3 Part A 4.22 (MTU 23-65535)", roles=PER, requires=("spsm",))
async def cfc_small_mtu(ctx: CaseContext) -> None:
    rsp = await open_channel(ctx, _spsm(ctx), mtu=22)
    check(rsp.result != 0, "the IUT accepted a channel with MTU 22, below the minimum 23")


@case("AIOBLE/L2CAP/SIG/BI-01", "Signalling command whose length field disagrees with the frame: rejected or ignored",
      "Vol 3 Part A 4 (one command per C-frame on LE-U)", roles=PER)
async def bad_signal_length(ctx: CaseContext) -> None:
    ident = ctx.link.next_identifier()
    ctx.link.send_signal(bytes([S.L2CAP_DISCONNECTION_REQ, ident, 0x08, 0x00, 0x40, 0x00, 0x40, 0x00]))
    await ctx.link.expect_silence(0x0005, ctx.silence, bytes([S.L2CAP_DISCONNECTION_RSP]))


async def _ecfc(ctx: CaseContext) -> l2.CreditBasedConnectionRsp:
    ident = ctx.link.send_signal(l2.CreditBasedConnectionReq(_spsm(ctx), 100, 100, 5, (SCID,)))
    raw = await ctx.link.expect_signal(S.L2CAP_CREDIT_BASED_CONNECTION_RSP, ident)
    rsp = l2.CreditBasedConnectionRsp.from_bytes(raw.data)
    if rsp.result != 0 or not rsp.destination_cids or not rsp.destination_cids[0]:
        raise NotApplicable(f"the IUT offers no enhanced credit-based channel on its SPSM (result 0x{rsp.result:04X})")
    return rsp


async def _reconfigure(ctx: CaseContext, mtu: int, mps: int, cids: tuple[int, ...]) -> int:
    ident = ctx.link.send_signal(l2.CreditBasedReconfigureReq(mtu, mps, cids))
    raw = await ctx.link.expect_signal(S.L2CAP_CREDIT_BASED_RECONFIGURE_RSP, ident)
    return int(l2.CreditBasedReconfigureRsp.from_bytes(raw.data).result)


@case("L2CAP/ECFC/BI-03-C", "Reconfigure that decreases the MTU: refused", "Vol 3 Part A 4.27, 4.28",
      roles=PER, requires=("spsm", "ecfc"))
async def ecfc_decrease_mtu(ctx: CaseContext) -> None:
    await _ecfc(ctx)
    result = await _reconfigure(ctx, 80, 100, (SCID,))
    check(result == 0x0001, f"reconfigure result 0x{result:04X}, the rule requires 0x0001 (MTU reduction)")


@case("L2CAP/ECFC/BI-05-C", "Reconfigure naming an invalid DCID: refused", "Vol 3 Part A 4.27, 4.28",
      roles=PER, requires=("spsm", "ecfc"))
async def ecfc_invalid_dcid(ctx: CaseContext) -> None:
    await _ecfc(ctx)
    result = await _reconfigure(ctx, 120, 100, (0x007E,))
    check(result == 0x0003, f"reconfigure result 0x{result:04X}, the rule requires 0x0003 (invalid DCID)")


@case("L2CAP/LE/CPU/BV-02-C", "Connection Parameter Update Request to a central: accepted and applied",
      "Vol 3 Part A 4.20, 4.21", iut_role="central", roles=CEN)
async def cpu_accepted(ctx: CaseContext) -> None:
    ident = ctx.link.send_signal(l2.ConnectionParameterUpdateReq(40, 56, 0, 500))
    raw = await ctx.link.expect_signal(S.L2CAP_CONNECTION_PARAMETER_UPDATE_RSP, ident)
    result = l2.ConnectionParameterUpdateRsp.from_bytes(raw.data).result
    check(result == 0, f"the IUT rejected valid parameters (result 0x{result:04X})")
    event = await ctx.link.wait_event("connection-update", timeout=5.0)
    check(40 <= event.detail["interval"] <= 56, f"the link interval became {event.detail['interval']}, not 40-56")


@case("L2CAP/LE/CPU/BI-01-C", "Connection Parameter Update Request with invalid parameters: rejected",
      "Vol 3 Part A 4.20, 4.21; Vol 6 Part B 4.5.1", iut_role="central", roles=CEN)
async def cpu_invalid(ctx: CaseContext) -> None:
    ident = ctx.link.send_signal(l2.ConnectionParameterUpdateReq(80, 40, 0, 500))  # min > max
    raw = await ctx.link.expect_signal(S.L2CAP_CONNECTION_PARAMETER_UPDATE_RSP, ident)
    result = l2.ConnectionParameterUpdateRsp.from_bytes(raw.data).result
    check(result == 1, f"result 0x{result:04X} for interval min > max, the rule requires 0x0001 (rejected)")


@case("AIOBLE/L2CAP/REJ/BI-02", "Unknown signalling command to a central: Command Reject", "Vol 3 Part A 4.1",
      iut_role="central", roles=CEN)
async def unknown_command_central(ctx: CaseContext) -> None:
    ident = ctx.link.next_identifier()
    ctx.link.send_signal(bytes([0x7F, ident, 0x00, 0x00]))
    await _reject(ctx.link, ident, l2.CommandRejectReason.COMMAND_NOT_UNDERSTOOD)
