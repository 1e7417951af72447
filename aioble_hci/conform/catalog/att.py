"""ATT bad input against the IUT's server (Core Vol 3 Part F 3.3, 3.4): our own robustness cases,
ID prefix AIOBLE/ (no SIG test ID covers them one by one)."""

from __future__ import annotations

import asyncio

from aioble_hci.att import pdus as att
from aioble_hci.att.pdus import Opcode

from ..case import case
from ..context import CaseContext
from ..describe import ATT_CID
from ..discovery import CHARACTERISTIC
from ..verdicts import CaseFailed, CaseInconclusive, NotApplicable, check
from .common import expect_error, expect_type

SR = "IUT peripheral, ATT server"


async def _still_serves(ctx: CaseContext) -> None:
    expect_type(await ctx.link.att_request(att.ExchangeMtuReq(23)), att.ExchangeMtuRsp)


@case("AIOBLE/ATT/BI-01", "Read Request with a one-octet handle: Invalid PDU", "Vol 3 Part F 3.4.1.1, 3.4.4.3",
      roles=SR)
async def short_read(ctx: CaseContext) -> None:
    ctx.link.send_att(bytes([Opcode.READ_REQ, 0x01]))
    expect_error(await ctx.link.expect_att(), Opcode.READ_REQ, None, att.ErrorCode.INVALID_PDU)


@case("AIOBLE/ATT/BI-02", "Find Information starting at handle 0: Invalid Handle", "Vol 3 Part F 3.4.3.1", roles=SR)
async def find_information_zero(ctx: CaseContext) -> None:
    answer = await ctx.link.att_request(att.FindInformationReq(0x0000, 0xFFFF))
    expect_error(answer, Opcode.FIND_INFORMATION_REQ, 0x0000, att.ErrorCode.INVALID_HANDLE)


@case("AIOBLE/ATT/BI-03", "Read By Group Type on a non-grouping type: Unsupported Group Type",
      "Vol 3 Part F 3.4.4.9", roles=SR)
async def group_type_unsupported(ctx: CaseContext) -> None:
    answer = await ctx.link.att_request(att.ReadByGroupTypeReq(0x0001, 0xFFFF, CHARACTERISTIC))
    expect_error(answer, Opcode.READ_BY_GROUP_TYPE_REQ, 0x0001, att.ErrorCode.UNSUPPORTED_GROUP_TYPE)


@case("AIOBLE/ATT/BI-04", "Find By Type Value with start > end: Invalid Handle", "Vol 3 Part F 3.4.3.3", roles=SR)
async def find_by_type_bad_range(ctx: CaseContext) -> None:
    ctx.link.send_att(bytes.fromhex("06 05 00 01 00 00 28 00 18"))
    expect_error(await ctx.link.expect_att(), Opcode.FIND_BY_TYPE_VALUE_REQ, 0x0005, att.ErrorCode.INVALID_HANDLE)


@case("AIOBLE/ATT/BI-05", "Exchange MTU with a Client Rx MTU below 23: ATT_MTU stays 23", "Vol 3 Part F 3.4.2.2",
      roles=SR)
async def mtu_too_small(ctx: CaseContext) -> None:
    expect_type(await ctx.link.att_request(att.ExchangeMtuReq(22)), att.ExchangeMtuRsp)
    char = ctx.profile.long_readable
    if char is not None:
        value = expect_type(await ctx.link.att_request(att.ReadReq(char.value_handle)), att.ReadRsp).attribute_value
        check(len(value) == att.ATT_DEFAULT_MTU - 1, f"after MTU 22 a read gave {len(value)} octets, not 22")


@case("AIOBLE/ATT/BI-06", "Write to a CCCD with one octet: Invalid Attribute Value Length",
      "Vol 3 Part G 3.3.3.3; Vol 3 Part F 3.4.5.1", roles=SR)
async def cccd_short_write(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.first(lambda c: c.cccd is not None), "characteristic with a CCCD")
    answer = await ctx.link.att_request(att.WriteReq(char.cccd, b"\x01"))
    expect_error(answer, Opcode.WRITE_REQ, char.cccd, att.ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH)


@case("AIOBLE/ATT/BI-07", "Read Multiple with a single handle: Invalid PDU", "Vol 3 Part F 3.4.4.7 (two or more handles)",
      roles=SR)
async def read_multiple_single(ctx: CaseContext) -> None:
    ctx.link.send_att(bytes([Opcode.READ_MULTIPLE_REQ, 0x01, 0x00]))
    expect_error(await ctx.link.expect_att(), Opcode.READ_MULTIPLE_REQ, None, att.ErrorCode.INVALID_PDU)


@case("AIOBLE/ATT/BI-08", "Empty ATT PDU: dropped, the bearer keeps serving", "Vol 3 Part F 3.3", roles=SR)
async def empty_pdu(ctx: CaseContext) -> None:
    ctx.link.send_att(b"")
    await ctx.link.expect_silence(ATT_CID, ctx.silence)
    await _still_serves(ctx)


@case("AIOBLE/ATT/BI-09", "Handle Value Confirmation without an indication: ignored", "Vol 3 Part F 3.4.7.3, 3.3",
      roles=SR)
async def stray_confirmation(ctx: CaseContext) -> None:
    ctx.link.send_att(att.HandleValueCfm())
    await ctx.link.expect_silence(ATT_CID, ctx.silence)
    await _still_serves(ctx)


@case("AIOBLE/ATT/BI-10", "Read By Type with a 4-octet UUID: Invalid PDU", "Vol 3 Part F 3.4.4.1 (2 or 16 octets)",
      roles=SR)
async def read_by_type_bad_uuid(ctx: CaseContext) -> None:
    ctx.link.send_att(bytes.fromhex("08 01 00 ff ff 00 28 00 00"))
    expect_error(await ctx.link.expect_att(), Opcode.READ_BY_TYPE_REQ, None, att.ErrorCode.INVALID_PDU)


@case("GATT/CL/GAI/BV-01-C", "GATT client confirms an indication", "Vol 3 Part G 4.11.1; Part F 3.4.7.2, 3.4.7.3",
      iut_role="central", roles="IUT central, GATT client")
async def client_confirms(ctx: CaseContext) -> None:
    ctx.link.send_att(att.HandleValueInd(0x0003, b"\x01"))
    pdu = await ctx.link.expect(ATT_CID, bytes([Opcode.HANDLE_VALUE_CFM]), what="Handle Value Confirmation")
    check(pdu == b"\x1e", f"the confirmation {pdu.hex()} is not exactly 1E")


@case("GATT/CL/GAN/BV-01-C", "GATT client does not answer a notification", "Vol 3 Part G 4.10.1; Part F 3.4.7.1",
      iut_role="central", roles="IUT central, GATT client")
async def client_ignores_notification(ctx: CaseContext) -> None:
    ctx.link.send_att(att.HandleValueNtf(0x0003, b"\x01"))
    await ctx.link.expect_silence(ATT_CID, ctx.silence, bytes([Opcode.HANDLE_VALUE_CFM]))


async def _client_read_error(ctx: CaseContext, code: att.ErrorCode) -> None:
    """The IUT's client reads; the tester answers with Error Response `code`; the IUT's application
    must be told exactly that code (Vol 3 Part G 4.8.1: the procedure ends with the error)."""
    if getattr(ctx.upper, "read", None) is None:
        raise NotApplicable("the case needs the IUT's client to read: give an upper tester with read(handle)")
    reader = asyncio.ensure_future(ctx.upper_action("read", 0x0003))
    try:
        while True:
            pdu = await ctx.link.expect(ATT_CID, lambda p: bool(p) and p[0] in (0x02, 0x0A), what="Read Request")
            if pdu[0] == Opcode.EXCHANGE_MTU_REQ:  # the client may exchange the MTU first: keep the default
                ctx.link.send_att(att.ExchangeMtuRsp(att.ATT_DEFAULT_MTU))
                continue
            handle = pdu[1] | pdu[2] << 8 if len(pdu) >= 3 else 0
            ctx.link.send_att(att.ErrorRsp(Opcode.READ_REQ, handle, code))
            break
        result = await asyncio.wait_for(asyncio.shield(reader), ctx.ixit.timing.timeout)
    except TimeoutError:
        raise CaseFailed("the IUT's client never ended the read procedure after the Error Response") from None
    finally:
        if not reader.done():
            reader.cancel()
    if ctx.link.pending(0x0006):
        raise CaseInconclusive("the IUT chose to pair after the error (allowed, GAP/SEC/AUT/BV-17-C)")
    check(result == code, f"the IUT's client reported {result!r} for Error Response {code.name} (0x{code:02X})")


def _client_read_case(case_id: str, code: att.ErrorCode) -> None:
    async def run(ctx: CaseContext) -> None:
        await _client_read_error(ctx, code)

    run.__name__ = f"client_read_{code.name.lower()}"
    case(case_id, f"GATT client read answered with {code.name}: reported to the application",
         "Vol 3 Part G 4.8.1; Part F 3.4.1.1", iut_role="central", roles="IUT central, GATT client",
         requires=("upper-tester",))(run)


for _id, _code in (("GATT/CL/GAR/BI-01-C", att.ErrorCode.INVALID_HANDLE),
                   ("GATT/CL/GAR/BI-02-C", att.ErrorCode.READ_NOT_PERMITTED),
                   ("GATT/CL/GAR/BI-03-C", att.ErrorCode.INSUFFICIENT_AUTHORIZATION),
                   ("GATT/CL/GAR/BI-04-C", att.ErrorCode.INSUFFICIENT_AUTHENTICATION),
                   ("GATT/CL/GAR/BI-05-C", att.ErrorCode.ENCRYPTION_KEY_SIZE_TOO_SHORT)):
    _client_read_case(_id, _code)
