"""GATT/SR: the IUT is a GATT server (Core Vol 3 Part F, ATT, and Part G, GATT).

Test IDs and purposes follow GATT.TS; each case checks the ATT rule its docstring names.
Values and handles come from discovery (or the IXIT), so the cases run against any server.
"""

from __future__ import annotations

import asyncio

from aioble_hci.att import pdus as att
from aioble_hci.att.pdus import Opcode
from aioble_hci.uuid import UUID

from ..case import case
from ..context import CaseContext
from ..describe import ATT_CID
from ..discovery import CHARACTERISTIC, INCLUDE, INDICATE, NOTIFY, PRIMARY_SERVICE, READ
from ..verdicts import CaseFailed, NotApplicable, check
from .common import expect_error, expect_type

SR = "IUT peripheral, GATT server"
MTU = att.ATT_DEFAULT_MTU


def _readable(ctx: CaseContext) -> tuple[int, bytes]:
    handle = ctx.ixit.gatt.readable_handle
    if handle is not None:
        char = ctx.characteristic(handle)
        return handle, (char.value if char is not None and char.value is not None else b"")
    char = ctx.need(ctx.profile.readable, "readable characteristic value")
    return char.value_handle, char.value


def _writable(ctx: CaseContext) -> int:
    if ctx.ixit.gatt.write_handle is not None:
        return int(ctx.ixit.gatt.write_handle)
    return int(ctx.need(ctx.profile.writable, "writable characteristic value").value_handle)


async def _read(ctx: CaseContext, handle: int) -> bytes:
    answer = expect_type(await ctx.link.att_request(att.ReadReq(handle)), att.ReadRsp)
    return bytes(answer.attribute_value)


@case("GATT/SR/GAC/BV-01-C", "Server Exchange MTU: the server answers with its Rx MTU",
      "Vol 3 Part F 3.4.2.2; Part G 4.3.1", roles=SR)
async def exchange_mtu(ctx: CaseContext) -> None:
    answer = expect_type(await ctx.link.att_request(att.ExchangeMtuReq(517)), att.ExchangeMtuRsp)
    check(answer.server_rx_mtu >= MTU, f"Server Rx MTU {answer.server_rx_mtu} is below the LE minimum 23")
    mtu = min(517, answer.server_rx_mtu)
    if ctx.profile.long_readable is not None:
        long = ctx.profile.long_readable
        value = await _read(ctx, long.value_handle)
        check(len(value) <= mtu - 1, f"Read Response of {len(value) + 1} octets exceeds the ATT_MTU {mtu}")


@case("GATT/SR/GAD/BV-01-C", "Discover All Primary Services", "Vol 3 Part G 4.4.1; Part F 3.4.4.10", roles=SR)
async def discover_all_primary(ctx: CaseContext) -> None:
    start, seen = 1, 0
    while True:
        answer = await ctx.link.att_request(att.ReadByGroupTypeReq(start, 0xFFFF, PRIMARY_SERVICE))
        if isinstance(answer, att.ErrorRsp):
            expect_error(answer, Opcode.READ_BY_GROUP_TYPE_REQ, start, att.ErrorCode.ATTRIBUTE_NOT_FOUND)
            break
        answer = expect_type(answer, att.ReadByGroupTypeRsp)
        sizes = {len(v) for _, _, v in answer.attribute_data}
        check(len(sizes) == 1 and sizes <= {2, 16}, f"one response mixes UUID sizes {sorted(sizes)}")
        for handle, end, _ in answer.attribute_data:
            check(start <= handle <= end, f"service range 0x{handle:04X}-0x{end:04X} is not in order")
            seen += 1
        start = answer.attribute_data[-1][1] + 1
        if start > 0xFFFF:
            break
    check(seen >= 1, "the server lists no primary service (the GAP service is mandatory)")
    check(seen >= len(ctx.profile.services), "fewer services than discovered before")


@case("GATT/SR/GAD/BV-02-C", "Discover Primary Services by Service UUID", "Vol 3 Part G 4.4.2; Part F 3.4.3.4",
      roles=SR)
async def discover_by_uuid(ctx: CaseContext) -> None:
    service = ctx.need(ctx.profile.services[-1] if ctx.profile.services else None, "primary service")
    value = att.uuid_att_bytes(service.uuid)
    answer = expect_type(await ctx.link.att_request(att.FindByTypeValueReq(1, 0xFFFF, PRIMARY_SERVICE, value)),
                         att.FindByTypeValueRsp)
    check((service.start, service.end) in answer.handles_information,
          f"service {service.uuid} at 0x{service.start:04X}-0x{service.end:04X} is missing from {answer}")
    last = answer.handles_information[-1][1]
    if last < 0xFFFF:
        after = await ctx.link.att_request(att.FindByTypeValueReq(last + 1, 0xFFFF, PRIMARY_SERVICE, value))
        if isinstance(after, att.ErrorRsp):
            expect_error(after, Opcode.FIND_BY_TYPE_VALUE_REQ, last + 1, att.ErrorCode.ATTRIBUTE_NOT_FOUND)


@case("GATT/SR/GAD/BV-03-C", "Find Included Services", "Vol 3 Part G 4.5.1; Part F 3.4.4.2", roles=SR,
      requires=("included-service",))
async def find_included(ctx: CaseContext) -> None:
    ctx.need(ctx.profile.includes, "included service")
    answer = expect_type(await ctx.link.att_request(att.ReadByTypeReq(1, 0xFFFF, INCLUDE)), att.ReadByTypeRsp)
    for handle, value in answer.attribute_data:
        check(len(value) in (4, 6), f"include declaration 0x{handle:04X} has {len(value)} octets, not 4 or 6")
        start, end = value[0] | value[1] << 8, value[2] | value[3] << 8
        check(0 < start <= end, f"included service range 0x{start:04X}-0x{end:04X} is not a handle range")
        check(handle < start or handle > end, f"include 0x{handle:04X} lies inside the service it includes")


@case("GATT/SR/GAD/BV-04-C", "Discover All Characteristics of a Service", "Vol 3 Part G 4.6.1; Part F 3.4.4.2",
      roles=SR)
async def discover_characteristics(ctx: CaseContext) -> None:
    service = ctx.need(next((s for s in ctx.profile.services if ctx.profile.first(
        lambda c, s=s: s.start <= c.declaration <= s.end)), None), "service with characteristics")
    start, found = service.start, 0
    while start <= service.end:
        answer = await ctx.link.att_request(att.ReadByTypeReq(start, service.end, CHARACTERISTIC))
        if isinstance(answer, att.ErrorRsp):
            expect_error(answer, Opcode.READ_BY_TYPE_REQ, start, att.ErrorCode.ATTRIBUTE_NOT_FOUND)
            break
        answer = expect_type(answer, att.ReadByTypeRsp)
        for handle, value in answer.attribute_data:
            check(len(value) in (5, 19), f"characteristic declaration 0x{handle:04X} has {len(value)} octets")
            check(service.start <= handle <= service.end, f"declaration 0x{handle:04X} is outside the service range")
            value_handle = value[1] | value[2] << 8
            check(value_handle == handle + 1, f"value handle 0x{value_handle:04X} does not follow its declaration "
                  f"0x{handle:04X} (Vol 3 Part G 3.3.2)")
            found += 1
        start = answer.attribute_data[-1][0] + 1
    check(found >= 1, "no characteristic found in a service that has some")


@case("GATT/SR/GAD/BV-05-C", "Discover Characteristics by UUID", "Vol 3 Part G 4.6.2; Part F 3.4.4.2", roles=SR)
async def discover_characteristics_by_uuid(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.characteristics[-1] if ctx.profile.characteristics else None, "characteristic")
    answer = expect_type(await ctx.link.att_request(att.ReadByTypeReq(1, 0xFFFF, CHARACTERISTIC)), att.ReadByTypeRsp)
    check(all(len(v) == len(answer.attribute_data[0][1]) for _, v in answer.attribute_data),
          "Read By Type Response entries differ in length")
    start, seen = 1, False
    while start <= 0xFFFF and not seen:
        answer = await ctx.link.att_request(att.ReadByTypeReq(start, 0xFFFF, CHARACTERISTIC))
        if isinstance(answer, att.ErrorRsp):
            break
        for handle, value in answer.attribute_data:
            seen = seen or (handle == char.declaration and UUID(bytes(value[3:])) == char.uuid)
        start = answer.attribute_data[-1][0] + 1
    check(seen, f"characteristic {char.uuid} at 0x{char.declaration:04X} is not listed")


@case("GATT/SR/GAD/BV-06-C", "Discover All Characteristic Descriptors", "Vol 3 Part G 4.7.1; Part F 3.4.3.2",
      roles=SR)
async def discover_descriptors(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.first(lambda c: c.descriptors), "characteristic with descriptors")
    answer = expect_type(await ctx.link.att_request(att.FindInformationReq(char.value_handle + 1, char.end)),
                         att.FindInformationRsp)
    handles = [h for h, _ in answer.information]
    check(handles == sorted(handles), "Find Information Response handles are not in ascending order")
    check(all(char.value_handle < h <= char.end for h in handles), "a handle outside the requested range")
    check(set(handles) <= set(char.descriptors) and handles, "descriptors differ from the first discovery")


@case("GATT/SR/GAR/BV-01-C", "Read Characteristic Value", "Vol 3 Part G 4.8.1; Part F 3.4.4.4", roles=SR)
async def read_value(ctx: CaseContext) -> None:
    handle, value = _readable(ctx)
    got = await _read(ctx, handle)
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
async def read_long(ctx: CaseContext) -> None:
    handle = ctx.ixit.gatt.long_handle
    char = ctx.characteristic(handle) if handle else ctx.profile.long_readable
    char = ctx.need(char, "long readable value")
    first = await _read(ctx, char.value_handle)
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
    handle, value = _readable(ctx)
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
    handle, _ = _readable(ctx)
    char = ctx.need(ctx.profile.not_readable, "characteristic value without the Read property")
    answer = await ctx.link.att_request(att.ReadMultipleReq((handle, char.value_handle)))
    expect_error(answer, Opcode.READ_MULTIPLE_REQ, char.value_handle, att.ErrorCode.READ_NOT_PERMITTED)


@case("GATT/SR/GAR/BI-19-C", "Read Multiple: Invalid Handle", "Vol 3 Part F 3.4.4.7", roles=SR)
async def read_multiple_invalid(ctx: CaseContext) -> None:
    handle, _ = _readable(ctx)
    answer = await ctx.link.att_request(att.ReadMultipleReq((handle, 0xF00F)))
    expect_error(answer, Opcode.READ_MULTIPLE_REQ, 0xF00F, att.ErrorCode.INVALID_HANDLE)


@case("GATT/SR/GAR/BV-06-C", "Read Characteristic Descriptor (CCCD)", "Vol 3 Part G 4.12.1, 3.3.3.3", roles=SR)
async def read_descriptor(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.first(lambda c: c.cccd is not None), "characteristic with a CCCD")
    value = await _read(ctx, char.cccd)
    check(len(value) == 2, f"a CCCD value is 2 octets, the IUT gave {len(value)}")
    check(value == b"\x00\x00", f"the CCCD of a new connection reads {value.hex()}, not 0000 (Part G 3.3.3.3)")


@case("GATT/SR/GAW/BV-01-C", "Write Without Response", "Vol 3 Part G 4.9.1; Part F 3.4.5.3", roles=SR)
async def write_without_response(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.write_without_response, "readable value with Write Without Response")
    value = b"\x5a" * min(4, max(1, len(char.value or b"x")))
    ctx.link.send_att(att.WriteCmd(char.value_handle, value))
    await ctx.link.expect_silence(ATT_CID, ctx.silence)
    got = await _read(ctx, char.value_handle)
    check(got == value, f"after Write Command {value.hex()} the value reads {got.hex()}")


@case("GATT/SR/GAW/BV-03-C", "Write Characteristic Value", "Vol 3 Part G 4.9.3; Part F 3.4.5.2", roles=SR)
async def write_value(ctx: CaseContext) -> None:
    handle = _writable(ctx)
    value = bytes.fromhex("010203")
    expect_type(await ctx.link.att_request(att.WriteReq(handle, value)), att.WriteRsp)
    char = ctx.characteristic(handle)
    if char is not None and char.properties & READ and char.value is not None:
        got = await _read(ctx, handle)
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


async def _prepare(ctx: CaseContext, handle: int, offset: int, part: bytes) -> None:
    answer = expect_type(await ctx.link.att_request(att.PrepareWriteReq(handle, offset, part)), att.PrepareWriteRsp)
    check((answer.attribute_handle, answer.value_offset, answer.part_attribute_value) == (handle, offset, part),
          f"Prepare Write Response does not echo the request: {answer!r} (Vol 3 Part F 3.4.6.2)")


@case("GATT/SR/GAW/BV-05-C", "Write Long Characteristic Value", "Vol 3 Part G 4.9.4; Part F 3.4.6.1-3.4.6.4",
      roles=SR)
async def write_long(ctx: CaseContext) -> None:
    handle = _writable(ctx)
    limit = ctx.ixit.gatt.max_length or 40
    value = bytes(range(min(limit, 40)))
    for offset in range(0, len(value), MTU - 5):
        await _prepare(ctx, handle, offset, value[offset:offset + MTU - 5])
    expect_type(await ctx.link.att_request(att.ExecuteWriteReq(0x01)), att.ExecuteWriteRsp)
    char = ctx.characteristic(handle)
    if char is not None and char.properties & READ and char.value is not None:
        got = await _read(ctx, handle)
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
    length = len(await _read_long(ctx, char.value_handle))
    if length >= 512:
        raise NotApplicable("the writable value is at its maximum length")
    answer = await ctx.link.att_request(att.PrepareWriteReq(char.value_handle, length + 1, b"\x01"))
    if isinstance(answer, att.ErrorRsp):
        expect_error(answer, Opcode.PREPARE_WRITE_REQ, char.value_handle, att.ErrorCode.INVALID_OFFSET)
        return
    expect_type(answer, att.PrepareWriteRsp)
    answer = await ctx.link.att_request(att.ExecuteWriteReq(0x01))
    expect_error(answer, Opcode.EXECUTE_WRITE_REQ, char.value_handle, att.ErrorCode.INVALID_OFFSET)


async def _read_long(ctx: CaseContext, handle: int) -> bytes:
    """The whole current value: Read, then Read Blob until a short part (Vol 3 Part G 4.8.3)."""
    value = await _read(ctx, handle)
    part = value
    while len(part) == MTU - 1:
        answer = await ctx.link.att_request(att.ReadBlobReq(handle, len(value)))
        if isinstance(answer, att.ErrorRsp):
            break
        part = expect_type(answer, att.ReadBlobRsp).part_attribute_value
        value += part
    return value


@case("GATT/SR/GAW/BV-07-C", "Write Long: Execute Write cancels the prepared writes", "Vol 3 Part F 3.4.6.3",
      roles=SR)
async def execute_cancel(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.writable, "readable writable value")
    before = await _read(ctx, char.value_handle)
    await _prepare(ctx, char.value_handle, 0, b"\xee\xee")
    expect_type(await ctx.link.att_request(att.ExecuteWriteReq(0x00)), att.ExecuteWriteRsp)
    if char.properties & READ:
        after = await _read(ctx, char.value_handle)
        check(after == before, f"the value changed to {after.hex()} although the prepared writes were cancelled")


@case("GATT/SR/GAW/BV-11-C", "Execute Write with no prepared writes", "Vol 3 Part F 3.4.6.3", roles=SR)
async def execute_nothing(ctx: CaseContext) -> None:
    expect_type(await ctx.link.att_request(att.ExecuteWriteReq(0x01)), att.ExecuteWriteRsp)


@case("GATT/SR/GAW/BI-32-C", "Write: value longer than the attribute's maximum", "Vol 3 Part F 3.4.5.1, 3.2.9",
      roles=SR)
async def write_too_long(ctx: CaseContext) -> None:
    handle = _writable(ctx)
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
    handle = _writable(ctx)
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


async def _subscribe(ctx: CaseContext, prop: int) -> int:
    kind = "notify" if prop == NOTIFY else "indicate"
    char = ctx.need(ctx.profile.with_property(prop), f"characteristic that can {kind}")
    expect_type(await ctx.link.att_request(att.WriteReq(char.cccd, (1 if prop == NOTIFY else 2).to_bytes(2, "little"))),
                att.WriteRsp)
    await ctx.upper_action("notify", char.value_handle)
    return int(char.value_handle)


@case("GATT/SR/GAN/BV-01-C", "Characteristic Value Notification", "Vol 3 Part G 4.10.1, 3.3.3.3; Part F 3.4.7.1",
      roles=SR, requires=("upper-tester",))
async def notification(ctx: CaseContext) -> None:
    handle = await _subscribe(ctx, NOTIFY)
    pdu = await ctx.link.expect_att(att.HandleValueNtf)
    check(pdu.attribute_handle == handle, f"notification of 0x{pdu.attribute_handle:04X}, not 0x{handle:04X}")
    await ctx.link.expect_silence(ATT_CID, ctx.silence, bytes([Opcode.HANDLE_VALUE_IND]))


@case("GATT/SR/GAI/BV-01-C", "Characteristic Value Indication", "Vol 3 Part G 4.11.1; Part F 3.4.7.2, 3.3.2",
      roles=SR, requires=("upper-tester",))
async def indication(ctx: CaseContext) -> None:
    handle = await _subscribe(ctx, INDICATE)
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
    await _read(ctx, _readable(ctx)[0])  # the bearer still works
