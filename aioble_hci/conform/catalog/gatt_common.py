"""Shared pieces of the GATT/SR cases: which values to use, plain and long reads, prepared
writes, subscriptions (Core Vol 3 Part F and Part G)."""

from __future__ import annotations

from aioble_hci.att import pdus as att

from ..context import CaseContext
from ..discovery import NOTIFY
from ..verdicts import check
from .common import expect_type

SR = "IUT peripheral, GATT server"
MTU = att.ATT_DEFAULT_MTU


def readable(ctx: CaseContext) -> tuple[int, bytes]:
    handle = ctx.ixit.gatt.readable_handle
    if handle is not None:
        char = ctx.characteristic(handle)
        return handle, (char.value if char is not None and char.value is not None else b"")
    char = ctx.need(ctx.profile.readable, "readable characteristic value")
    return char.value_handle, char.value


def writable(ctx: CaseContext) -> int:
    if ctx.ixit.gatt.write_handle is not None:
        return int(ctx.ixit.gatt.write_handle)
    return int(ctx.need(ctx.profile.writable, "writable characteristic value").value_handle)


async def read(ctx: CaseContext, handle: int) -> bytes:
    answer = expect_type(await ctx.link.att_request(att.ReadReq(handle)), att.ReadRsp)
    return bytes(answer.attribute_value)


async def prepare(ctx: CaseContext, handle: int, offset: int, part: bytes) -> None:
    answer = expect_type(await ctx.link.att_request(att.PrepareWriteReq(handle, offset, part)), att.PrepareWriteRsp)
    check((answer.attribute_handle, answer.value_offset, answer.part_attribute_value) == (handle, offset, part),
          f"Prepare Write Response does not echo the request: {answer!r} (Vol 3 Part F 3.4.6.2)")


async def read_long(ctx: CaseContext, handle: int) -> bytes:
    """The whole current value: Read, then Read Blob until a short part (Vol 3 Part G 4.8.3)."""
    value = await read(ctx, handle)
    part = value
    while len(part) == MTU - 1:
        answer = await ctx.link.att_request(att.ReadBlobReq(handle, len(value)))
        if isinstance(answer, att.ErrorRsp):
            break
        part = expect_type(answer, att.ReadBlobRsp).part_attribute_value
        value += part
    return value


async def subscribe(ctx: CaseContext, prop: int) -> int:
    kind = "notify" if prop == NOTIFY else "indicate"
    char = ctx.need(ctx.profile.with_property(prop), f"characteristic that can {kind}")
    expect_type(await ctx.link.att_request(att.WriteReq(char.cccd, (1 if prop == NOTIFY else 2).to_bytes(2, "little"))),
                att.WriteRsp)
    await ctx.upper_action("notify", char.value_handle)
    return int(char.value_handle)


