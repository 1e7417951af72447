"""GATT/SR/GAW: writes, long (prepared) writes and their error cases (Core Vol 3 Part G 4.9;
Part F 3.4.5, 3.4.6)."""

from __future__ import annotations

from aioble_hci.att import pdus as att
from aioble_hci.att.pdus import Opcode

from ..case import case
from ..context import CaseContext
from ..describe import ATT_CID
from ..discovery import READ
from ..verdicts import NotApplicable, check
from .common import expect_error, expect_type
from .gatt_common import MTU, SR, prepare, read, read_long, writable


@case("GATT/SR/GAW/BV-01-C", "Write Without Response", "Vol 3 Part G 4.9.1; Part F 3.4.5.3", roles=SR)
async def write_without_response(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.write_without_response, "readable value with Write Without Response")
    value = b"\x5a" * min(4, max(1, len(char.value or b"x")))
    ctx.link.send_att(att.WriteCmd(char.value_handle, value))
    await ctx.link.expect_silence(ATT_CID, ctx.silence)
    got = await read(ctx, char.value_handle)
    check(got == value, f"after Write Command {value.hex()} the value reads {got.hex()}")


@case("GATT/SR/GAW/BV-03-C", "Write Characteristic Value", "Vol 3 Part G 4.9.3; Part F 3.4.5.2", roles=SR)
async def write_value(ctx: CaseContext) -> None:
    handle = writable(ctx)
    value = bytes.fromhex("010203")
    expect_type(await ctx.link.att_request(att.WriteReq(handle, value)), att.WriteRsp)
    char = ctx.characteristic(handle)
    if char is not None and char.properties & READ and char.value is not None:
        got = await read(ctx, handle)
        check(got == value, f"after Write Request {value.hex()} the value reads {got.hex()}")


@case("GATT/SR/GAW/BI-02-C", "Write Characteristic Value: Invalid Handle", "Vol 3 Part F 3.4.5.1", roles=SR)
async def write_invalid_handle(ctx: CaseContext) -> None:
    answer = await ctx.link.att_request(att.WriteReq(0x0000, b"\x01"))
    expect_error(answer, Opcode.WRITE_REQ, 0x0000, att.ErrorCode.INVALID_HANDLE)


@case("GATT/SR/GAW/BI-03-C", "Write Characteristic Value: Write Not Permitted", "Vol 3 Part F 3.4.5.1, 3.2.5",
      roles=SR)
async def write_not_permitted(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.not_writable, "characteristic value without a Write property")
    answer = await ctx.link.att_request(att.WriteReq(char.value_handle, b"\x01"))
    expect_error(answer, Opcode.WRITE_REQ, char.value_handle, att.ErrorCode.WRITE_NOT_PERMITTED)


@case("GATT/SR/GAW/BV-05-C", "Write Long Characteristic Value", "Vol 3 Part G 4.9.4; Part F 3.4.6.1-3.4.6.4",
      roles=SR)
async def write_long(ctx: CaseContext) -> None:
    handle = writable(ctx)
    limit = ctx.ixit.gatt.max_length or 40
    value = bytes(range(min(limit, 40)))
    for offset in range(0, len(value), MTU - 5):
        await prepare(ctx, handle, offset, value[offset:offset + MTU - 5])
    expect_type(await ctx.link.att_request(att.ExecuteWriteReq(0x01)), att.ExecuteWriteRsp)
    char = ctx.characteristic(handle)
    if char is not None and char.properties & READ and char.value is not None:
        got = await read(ctx, handle)
        check(value.startswith(got), f"after Write Long the value reads {got.hex()}")


@case("GATT/SR/GAW/BI-07-C", "Prepare Write: Invalid Handle", "Vol 3 Part F 3.4.6.1", roles=SR)
async def prepare_invalid_handle(ctx: CaseContext) -> None:
    answer = await ctx.link.att_request(att.PrepareWriteReq(0x0000, 0, b"\x01"))
    expect_error(answer, Opcode.PREPARE_WRITE_REQ, 0x0000, att.ErrorCode.INVALID_HANDLE)


@case("GATT/SR/GAW/BI-08-C", "Prepare Write: Write Not Permitted", "Vol 3 Part F 3.4.6.1", roles=SR)
async def prepare_not_permitted(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.not_writable, "characteristic value without a Write property")
    answer = await ctx.link.att_request(att.PrepareWriteReq(char.value_handle, 0, b"\x01"))
    expect_error(answer, Opcode.PREPARE_WRITE_REQ, char.value_handle, att.ErrorCode.WRITE_NOT_PERMITTED)


@case("GATT/SR/GAW/BI-09-C", "Write Long: Invalid Offset (at prepare or at execute)", "Vol 3 Part F 3.4.6.1, 3.4.6.3",
      roles=SR)
async def prepare_bad_offset(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.first(lambda c: c.properties & 0x08 and c.value is not None), "readable writable value")
    length = len(await read_long(ctx, char.value_handle))
    if length >= 512:
        raise NotApplicable("the writable value is at its maximum length")
    answer = await ctx.link.att_request(att.PrepareWriteReq(char.value_handle, length + 1, b"\x01"))
    if isinstance(answer, att.ErrorRsp):
        expect_error(answer, Opcode.PREPARE_WRITE_REQ, char.value_handle, att.ErrorCode.INVALID_OFFSET)
        return
    expect_type(answer, att.PrepareWriteRsp)
    answer = await ctx.link.att_request(att.ExecuteWriteReq(0x01))
    expect_error(answer, Opcode.EXECUTE_WRITE_REQ, char.value_handle, att.ErrorCode.INVALID_OFFSET)


@case("GATT/SR/GAW/BV-07-C", "Write Long: Execute Write cancels the prepared writes", "Vol 3 Part F 3.4.6.3",
      roles=SR)
async def execute_cancel(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.writable, "readable writable value")
    before = await read(ctx, char.value_handle)
    await prepare(ctx, char.value_handle, 0, b"\xee\xee")
    expect_type(await ctx.link.att_request(att.ExecuteWriteReq(0x00)), att.ExecuteWriteRsp)
    if char.properties & READ:
        after = await read(ctx, char.value_handle)
        check(after == before, f"the value changed to {after.hex()} although the prepared writes were cancelled")


@case("GATT/SR/GAW/BV-11-C", "Execute Write with no prepared writes", "Vol 3 Part F 3.4.6.3", roles=SR)
async def execute_nothing(ctx: CaseContext) -> None:
    expect_type(await ctx.link.att_request(att.ExecuteWriteReq(0x01)), att.ExecuteWriteRsp)


@case("GATT/SR/GAW/BI-32-C", "Write: value longer than the attribute's maximum", "Vol 3 Part F 3.4.5.1, 3.2.9",
      roles=SR)
async def write_too_long(ctx: CaseContext) -> None:
    handle = writable(ctx)
    limit = ctx.ixit.gatt.max_length
    if limit is None or limit + 1 > MTU - 3:
        mtu = expect_type(await ctx.link.att_request(att.ExchangeMtuReq(517)), att.ExchangeMtuRsp).server_rx_mtu
        limit = limit or 512
        if limit + 1 > min(mtu, 517) - 3:
            raise NotApplicable(f"a value of {limit + 1} octets does not fit the IUT's ATT_MTU {mtu}")
    answer = await ctx.link.att_request(att.WriteReq(handle, bytes(limit + 1)))
    expect_error(answer, Opcode.WRITE_REQ, handle, att.ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH)


@case("GATT/SR/GAW/BI-33-C", "Write Long: value longer than the attribute's maximum",
      "Vol 3 Part F 3.4.6.3, 3.2.9", roles=SR)
async def write_long_too_long(ctx: CaseContext) -> None:
    handle = writable(ctx)
    limit = ctx.ixit.gatt.max_length or 512
    total, chunk = limit + 1, MTU - 5
    for offset in range(0, total, chunk):
        answer = await ctx.link.att_request(att.PrepareWriteReq(handle, offset, bytes(min(chunk, total - offset))))
        if isinstance(answer, att.ErrorRsp):
            expect_error(answer, Opcode.PREPARE_WRITE_REQ, handle, att.ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH)
            return
        if isinstance(answer, att.ErrorRsp):
            break
    answer = await ctx.link.att_request(att.ExecuteWriteReq(0x01))
    expect_error(answer, Opcode.EXECUTE_WRITE_REQ, handle, att.ErrorCode.INVALID_ATTRIBUTE_VALUE_LENGTH)
