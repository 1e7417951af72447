"""GATT/SR/GAN, GAI and UNS: notifications, indications (with an upper tester to trigger them) and
unsupported opcodes (Core Vol 3 Part G 4.10, 4.11; Part F 3.3, 3.4.7)."""

from __future__ import annotations

import asyncio

from aioble_hci.att import pdus as att
from aioble_hci.att.pdus import Opcode

from ..case import case
from ..context import CaseContext
from ..describe import ATT_CID
from ..discovery import INDICATE, NOTIFY
from ..verdicts import check
from .common import expect_error
from .gatt_common import SR, read, readable, subscribe


@case("GATT/SR/GAN/BV-01-C", "Characteristic Value Notification", "Vol 3 Part G 4.10.1, 3.3.3.3; Part F 3.4.7.1",
      roles=SR, requires=("upper-tester",))
async def notification(ctx: CaseContext) -> None:
    handle = await subscribe(ctx, NOTIFY)
    pdu = await ctx.link.expect_att(att.HandleValueNtf)
    check(pdu.attribute_handle == handle, f"notification of 0x{pdu.attribute_handle:04X}, not 0x{handle:04X}")
    await ctx.link.expect_silence(ATT_CID, ctx.silence, bytes([Opcode.HANDLE_VALUE_IND]))


@case("GATT/SR/GAI/BV-01-C", "Characteristic Value Indication", "Vol 3 Part G 4.11.1; Part F 3.4.7.2, 3.3.2",
      roles=SR, requires=("upper-tester",))
async def indication(ctx: CaseContext) -> None:
    handle = await subscribe(ctx, INDICATE)
    pdu = await ctx.link.expect_att(att.HandleValueInd)
    check(pdu.attribute_handle == handle, f"indication of 0x{pdu.attribute_handle:04X}, not 0x{handle:04X}")
    await ctx.upper_action("notify", handle)
    await ctx.link.expect_silence(ATT_CID, ctx.silence, att.HandleValueInd)
    ctx.link.send_att(att.HandleValueCfm())
    await asyncio.sleep(ctx.silence)  # let the confirmation reach the IUT before its application updates again
    await ctx.upper_action("notify", handle)
    await ctx.link.expect_att(att.HandleValueInd)
    ctx.link.send_att(att.HandleValueCfm())


@case("GATT/SR/UNS/BI-01-C", "Unsupported request: Request Not Supported", "Vol 3 Part F 3.4.1.1, 3.3", roles=SR)
async def unsupported_request(ctx: CaseContext) -> None:
    ctx.link.send_att(bytes([0x3E, 0x01, 0x00]))
    answer = await ctx.link.expect_att()
    expect_error(answer, 0x3E, 0x0000, att.ErrorCode.REQUEST_NOT_SUPPORTED)


@case("GATT/SR/UNS/BI-02-C", "Unsupported command: ignored", "Vol 3 Part F 3.3, 3.4.8", roles=SR)
async def unsupported_command(ctx: CaseContext) -> None:
    ctx.link.send_att(bytes([0x7E, 0x01, 0x00]))
    await ctx.link.expect_silence(ATT_CID, ctx.silence)
    await read(ctx, readable(ctx)[0])  # the bearer still works
