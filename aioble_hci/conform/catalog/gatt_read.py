"""GATT/SR/GAR: reading values and descriptors, and the read error cases (Core Vol 3 Part G 4.8,
4.12; Part F 3.4.4). Values and handles come from discovery or the IXIT."""

from __future__ import annotations

from aioble_hci.att import pdus as att
from aioble_hci.att.pdus import Opcode

from ..case import case
from ..context import CaseContext
from ..discovery import READ
from ..verdicts import CaseFailed, NotApplicable, check
from .common import expect_error, expect_type
from .gatt_common import MTU, SR, read, readable


@case("GATT/SR/GAR/BV-01-C", "Read Characteristic Value", "Vol 3 Part G 4.8.1; Part F 3.4.4.4", roles=SR)
async def read_value(ctx: CaseContext) -> None:
    handle, value = readable(ctx)
    got = await read(ctx, handle)
    check(len(got) <= MTU - 1, f"Read Response carries {len(got)} octets, more than ATT_MTU-1")
    check(got == value[:MTU - 1], f"read {got.hex()} where the value is {value[:MTU - 1].hex()}")


@case("GATT/SR/GAR/BI-01-C", "Read Characteristic Value: Read Not Permitted", "Vol 3 Part F 3.4.4.3, 3.2.5",
      roles=SR)
async def read_not_permitted(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.not_readable, "characteristic value without the Read property")
    answer = await ctx.link.att_request(att.ReadReq(char.value_handle))
    expect_error(answer, Opcode.READ_REQ, char.value_handle, att.ErrorCode.READ_NOT_PERMITTED)


@case("GATT/SR/GAR/BI-02-C", "Read Characteristic Value: Invalid Handle", "Vol 3 Part F 3.4.4.3", roles=SR)
async def read_invalid_handle(ctx: CaseContext) -> None:
    answer = await ctx.link.att_request(att.ReadReq(0x0000))
    expect_error(answer, Opcode.READ_REQ, 0x0000, att.ErrorCode.INVALID_HANDLE)


@case("GATT/SR/GAR/BI-04-C", "Read Characteristic Value: Insufficient Authentication",
      "Vol 3 Part F 3.4.4.3; Part C 10.3.1", roles=SR)
async def read_insufficient_authentication(ctx: CaseContext) -> None:
    handle = ctx.ixit.gatt.protected_handle or ctx.need(ctx.profile.protected, "value needing security").value_handle
    answer = await ctx.link.att_request(att.ReadReq(handle))
    if not isinstance(answer, att.ErrorRsp) or answer.error_code not in (
            att.ErrorCode.INSUFFICIENT_AUTHENTICATION, att.ErrorCode.INSUFFICIENT_ENCRYPTION,
            att.ErrorCode.INSUFFICIENT_AUTHORIZATION):
        raise CaseFailed(f"reading a protected value on an unencrypted link gave {answer!r}, "
                         "not Insufficient Authentication/Encryption")


@case("GATT/SR/GAR/BV-03-C", "Read Using Characteristic UUID", "Vol 3 Part G 4.8.2; Part F 3.4.4.2", roles=SR)
async def read_by_uuid(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.readable, "readable characteristic value")
    answer = expect_type(await ctx.link.att_request(att.ReadByTypeReq(1, 0xFFFF, char.uuid)), att.ReadByTypeRsp)
    values = dict(answer.attribute_data)
    check(char.value_handle in values, f"value 0x{char.value_handle:04X} of {char.uuid} is not in the response")
    check(values[char.value_handle] == char.value[:len(values[char.value_handle])],
          f"Read By Type gave {values[char.value_handle].hex()} for a value {char.value.hex()}")


@case("GATT/SR/GAR/BI-06-C", "Read Using Characteristic UUID: Read Not Permitted", "Vol 3 Part F 3.4.4.1",
      roles=SR)
async def read_by_uuid_not_permitted(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.first(lambda c: not c.properties & READ and not any(
        o.uuid == c.uuid and o is not c for o in ctx.profile.characteristics)), "unique non-readable value")
    service = ctx.profile.service_of(char.value_handle)
    answer = await ctx.link.att_request(att.ReadByTypeReq(char.value_handle, service.end if service else 0xFFFF,
                                                          char.uuid))
    expect_error(answer, Opcode.READ_BY_TYPE_REQ, char.value_handle, att.ErrorCode.READ_NOT_PERMITTED)


@case("GATT/SR/GAR/BI-07-C", "Read Using Characteristic UUID: Attribute Not Found", "Vol 3 Part F 3.4.4.1",
      roles=SR)
async def read_by_uuid_not_found(ctx: CaseContext) -> None:
    answer = await ctx.link.att_request(att.ReadByTypeReq(1, 0xFFFF, ctx.profile.absent_uuid()))
    expect_error(answer, Opcode.READ_BY_TYPE_REQ, 1, att.ErrorCode.ATTRIBUTE_NOT_FOUND)


@case("GATT/SR/GAR/BI-08-C", "Read Using Characteristic UUID: Invalid Handle range", "Vol 3 Part F 3.4.4.1",
      roles=SR)
async def read_by_uuid_bad_range(ctx: CaseContext) -> None:
    ctx.link.send_att(bytes.fromhex("08 02 00 01 00 00 28"))
    answer = await ctx.link.expect_att()
    expect_error(answer, Opcode.READ_BY_TYPE_REQ, 0x0002, att.ErrorCode.INVALID_HANDLE)


@case("GATT/SR/GAR/BV-04-C", "Read Long Characteristic Value", "Vol 3 Part G 4.8.3; Part F 3.4.4.6", roles=SR)
async def read_long_value(ctx: CaseContext) -> None:
    handle = ctx.ixit.gatt.long_handle
    char = ctx.characteristic(handle) if handle else ctx.profile.long_readable
    char = ctx.need(char, "long readable value")
    first = await read(ctx, char.value_handle)
    value = first
    while len(first) == MTU - 1:
        answer = await ctx.link.att_request(att.ReadBlobReq(char.value_handle, len(value)))
        if isinstance(answer, att.ErrorRsp):
            expect_error(answer, Opcode.READ_BLOB_REQ, char.value_handle, att.ErrorCode.INVALID_OFFSET)
            break
        first = expect_type(answer, att.ReadBlobRsp).part_attribute_value
        check(len(first) <= MTU - 1, "Read Blob Response longer than ATT_MTU-1")
        value += first
        if len(first) < MTU - 1:
            break
    if char.value is not None:
        check(value.startswith(char.value[:MTU - 1]), "the long value does not start with what Read gave")
    check(len(value) >= MTU - 1, f"read {len(value)} octets of a long value")


@case("GATT/SR/GAR/BI-12-C", "Read Long Characteristic Value: Read Not Permitted", "Vol 3 Part F 3.4.4.5",
      roles=SR)
async def read_blob_not_permitted(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.not_readable, "characteristic value without the Read property")
    answer = await ctx.link.att_request(att.ReadBlobReq(char.value_handle, 0))
    expect_error(answer, Opcode.READ_BLOB_REQ, char.value_handle, att.ErrorCode.READ_NOT_PERMITTED)


@case("GATT/SR/GAR/BI-13-C", "Read Long Characteristic Value: Invalid Offset", "Vol 3 Part F 3.4.4.5", roles=SR)
async def read_blob_bad_offset(ctx: CaseContext) -> None:
    handle, value = readable(ctx)
    offset = len(value) + 1
    answer = await ctx.link.att_request(att.ReadBlobReq(handle, offset))
    expect_error(answer, Opcode.READ_BLOB_REQ, handle, att.ErrorCode.INVALID_OFFSET)


@case("GATT/SR/GAR/BI-14-C", "Read Long Characteristic Value: Invalid Handle", "Vol 3 Part F 3.4.4.5", roles=SR)
async def read_blob_invalid_handle(ctx: CaseContext) -> None:
    answer = await ctx.link.att_request(att.ReadBlobReq(0x0000, 0))
    expect_error(answer, Opcode.READ_BLOB_REQ, 0x0000, att.ErrorCode.INVALID_HANDLE)


@case("GATT/SR/GAR/BV-05-C", "Read Multiple Characteristic Values", "Vol 3 Part G 4.8.4; Part F 3.4.4.8",
      roles=SR)
async def read_multiple(ctx: CaseContext) -> None:
    chars = [c for c in ctx.profile.readables if c.value is not None and len(c.value) < 8][:2]
    if len(chars) < 2:
        raise NotApplicable("the IUT offers no two short readable values")
    answer = expect_type(await ctx.link.att_request(att.ReadMultipleReq(tuple(c.value_handle for c in chars))),
                         att.ReadMultipleRsp)
    expected = b"".join(c.value for c in chars if c.value is not None)[:MTU - 1]
    check(answer.set_of_values == expected, f"Read Multiple gave {answer.set_of_values.hex()}, "
          f"the values concatenated are {expected.hex()}")


@case("GATT/SR/GAR/BI-18-C", "Read Multiple: Read Not Permitted", "Vol 3 Part F 3.4.4.7", roles=SR)
async def read_multiple_not_permitted(ctx: CaseContext) -> None:
    handle, _ = readable(ctx)
    char = ctx.need(ctx.profile.not_readable, "characteristic value without the Read property")
    answer = await ctx.link.att_request(att.ReadMultipleReq((handle, char.value_handle)))
    expect_error(answer, Opcode.READ_MULTIPLE_REQ, char.value_handle, att.ErrorCode.READ_NOT_PERMITTED)


@case("GATT/SR/GAR/BI-19-C", "Read Multiple: Invalid Handle", "Vol 3 Part F 3.4.4.7", roles=SR)
async def read_multiple_invalid(ctx: CaseContext) -> None:
    handle, _ = readable(ctx)
    answer = await ctx.link.att_request(att.ReadMultipleReq((handle, 0xF00F)))
    expect_error(answer, Opcode.READ_MULTIPLE_REQ, 0xF00F, att.ErrorCode.INVALID_HANDLE)


@case("GATT/SR/GAR/BV-06-C", "Read Characteristic Descriptor (CCCD)", "Vol 3 Part G 4.12.1, 3.3.3.3", roles=SR)
async def read_descriptor(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.first(lambda c: c.cccd is not None), "characteristic with a CCCD")
    value = await read(ctx, char.cccd)
    check(len(value) == 2, f"a CCCD value is 2 octets, the IUT gave {len(value)}")
    check(value == b"\x00\x00", f"the CCCD of a new connection reads {value.hex()}, not 0000 (Part G 3.3.3.3)")
