"""GATT/SR/GAC and GAD: MTU exchange and discovery against the IUT's server (Core Vol 3 Part G
4.3-4.7; Part F 3.4.2-3.4.4). Test IDs and purposes follow GATT.TS."""

from __future__ import annotations

from aioble_hci.att import pdus as att
from aioble_hci.att.pdus import Opcode
from aioble_hci.uuid import UUID

from ..case import case
from ..context import CaseContext
from ..discovery import CHARACTERISTIC, INCLUDE, PRIMARY_SERVICE
from ..verdicts import check
from .common import expect_error, expect_type
from .gatt_common import MTU, SR, read


@case("GATT/SR/GAC/BV-01-C", "Server Exchange MTU: the server answers with its Rx MTU",
      "Vol 3 Part F 3.4.2.2; Part G 4.3.1", roles=SR)
async def exchange_mtu(ctx: CaseContext) -> None:
    answer = expect_type(await ctx.link.att_request(att.ExchangeMtuReq(517)), att.ExchangeMtuRsp)
    check(answer.server_rx_mtu >= MTU, f"Server Rx MTU {answer.server_rx_mtu} is below the LE minimum 23")
    mtu = min(517, answer.server_rx_mtu)
    if ctx.profile.long_readable is not None:
        long = ctx.profile.long_readable
        value = await read(ctx, long.value_handle)
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
