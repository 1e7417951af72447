"""GAP (LE): discovery, connection, the GAP service, security and privacy (Core Vol 3 Part C)."""

from __future__ import annotations

from aioble_hci.att import pdus as att
from aioble_hci.smp import toolbox as tb
from aioble_hci.smp.pdus import KeyDistribution
from aioble_hci.uuid import UUID

from ..case import case
from ..context import CaseContext
from ..verdicts import CaseFailed, CaseOutcome, NotApplicable, check
from .common import expect_type
from .sm_common import legacy_just_works

FLAGS = 0x01
LIMITED, GENERAL = 0x01, 0x02
PER = "IUT peripheral"


def _ad_structures(data: bytes) -> list[tuple[int, bytes]]:
    """The AD structures (Vol 3 Part C 11); a length running past the data fails the case."""
    out, i = [], 0
    while i < len(data):
        length = data[i]
        if length == 0:
            break
        if i + 1 + length > len(data):
            raise CaseFailed(f"AD structure at offset {i} announces {length} octets past the end of {data.hex()}")
        out.append((data[i + 1], data[i + 2:i + 1 + length]))
        i += 1 + length
    return out


async def _reports(ctx: CaseContext) -> list:
    if ctx.iut is None:
        raise NotApplicable("no IUT address given")
    reports = await ctx.tester.scan_for(ctx.iut, timeout=3.0, count=2)
    if not reports:
        raise CaseFailed(f"the IUT {ctx.iut} was not seen advertising within 3 s")
    return reports


@case("GAP/DISC/GENM/BV-01-C", "General discoverable mode: Flags with LE General Discoverable, not in the scan response",
      "Vol 3 Part C 9.2.4, 11.1.3; CSS Part A 1.3", roles=PER, connect=False)
async def general_discoverable(ctx: CaseContext) -> None:
    reports = await _reports(ctx)
    adv = [r for r in reports if not r.scan_response]
    flags = [v for r in adv for t, v in _ad_structures(r.data) if t == FLAGS]
    for r in reports:
        if r.scan_response:
            check(not any(t == FLAGS for t, _ in _ad_structures(r.data)), "the scan response carries Flags")
    if not flags:
        raise NotApplicable("the IUT advertises without Flags (not discoverable)")
    if flags[0][0] & LIMITED:
        raise NotApplicable("the IUT is in limited discoverable mode")
    check(flags[0][0] & GENERAL, "the IUT's Flags set neither discoverable bit")


@case("GAP/CONN/UCON/BV-01-C", "Undirected connectable mode: ADV_IND, and the tester connects",
      "Vol 3 Part C 9.3.4", roles=PER, connect=False)
async def undirected_connectable(ctx: CaseContext) -> None:
    reports = await _reports(ctx)
    if not any(r.connectable and not r.directed for r in reports):
        raise NotApplicable("the IUT is not in undirected connectable mode")
    try:
        link = await ctx.connect()
        await link.expect_silence(0x0004, ctx.silence, lambda pdu: False)  # the link must stay up meanwhile
    except CaseOutcome as exc:
        raise CaseFailed(f"the IUT advertises connectable but did not stay connected: {exc}") from None


async def _gap_characteristic(ctx: CaseContext, uuid: int) -> bytes | None:
    answer = await ctx.link.att_request(att.ReadByTypeReq(1, 0xFFFF, UUID(uuid)))
    if isinstance(answer, att.ErrorRsp):
        if answer.error_code == att.ErrorCode.ATTRIBUTE_NOT_FOUND:
            return None
        raise CaseFailed(f"reading characteristic 0x{uuid:04X} by type gave {att.ErrorCode(answer.error_code).name}")
    answer = expect_type(answer, att.ReadByTypeRsp)
    return bytes(answer.attribute_data[0][1])


@case("GAP/GAT/BV-16-C", "GAP service: Device Name present and readable", "Vol 3 Part C 12.1", roles=PER)
async def device_name(ctx: CaseContext) -> None:
    value = await _gap_characteristic(ctx, 0x2A00)
    check(value is not None, "the IUT has no Device Name characteristic (mandatory, Vol 3 Part C 12)")
    try:
        value.decode("utf-8")  # type: ignore[union-attr]
    except UnicodeDecodeError:
        raise CaseFailed(f"the Device Name {value!r} is not UTF-8") from None


@case("GAP/GAT/BV-17-C", "GAP service: Appearance present, 2 octets", "Vol 3 Part C 12.2", roles=PER)
async def appearance(ctx: CaseContext) -> None:
    value = await _gap_characteristic(ctx, 0x2A01)
    check(value is not None, "the IUT has no Appearance characteristic (mandatory, Vol 3 Part C 12)")
    check(len(value) == 2, f"Appearance is {len(value)} octets, not 2")  # type: ignore[arg-type]


@case("GAP/GAT/BV-04-C", "GAP service: Peripheral Preferred Connection Parameters valid when present",
      "Vol 3 Part C 12.3", roles=PER)
async def ppcp(ctx: CaseContext) -> None:
    value = await _gap_characteristic(ctx, 0x2A04)
    if value is None:
        raise NotApplicable("the IUT has no PPCP characteristic")
    check(len(value) == 8, f"PPCP is {len(value)} octets, not 8")
    imin, imax, latency, timeout = (int.from_bytes(value[i:i + 2], "little") for i in range(0, 8, 2))
    for name, v in (("min interval", imin), ("max interval", imax)):
        check(v == 0xFFFF or 6 <= v <= 3200, f"PPCP {name} 0x{v:04X} outside 0x0006-0x0C80")
    check(imin == 0xFFFF or imax == 0xFFFF or imin <= imax, "PPCP min interval exceeds max")
    check(latency <= 499, f"PPCP latency {latency} above 499")
    check(timeout == 0xFFFF or 10 <= timeout <= 3200, f"PPCP timeout 0x{timeout:04X} outside 0x000A-0x0C80")


@case("GAP/SEC/AUT/BV-11-C", "Protected value: refused on a plain link, served once paired and encrypted",
      "Vol 3 Part C 10.3; Vol 3 Part F 3.4.4.3", roles=PER, requires=("protected",))
async def protected_after_pairing(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.protected, "value needing security")
    answer = await ctx.link.att_request(att.ReadReq(char.value_handle))
    check(isinstance(answer, att.ErrorRsp), "the protected value was served on an unencrypted link")
    await legacy_just_works(ctx)
    answer = await ctx.link.att_request(att.ReadReq(char.value_handle))
    if isinstance(answer, att.ErrorRsp) and answer.error_code in (att.ErrorCode.INSUFFICIENT_AUTHENTICATION,
                                                                    att.ErrorCode.INSUFFICIENT_AUTHORIZATION):
        raise NotApplicable("the value needs more than an unauthenticated encrypted link")
    expect_type(answer, att.ReadRsp)


@case("GAP/SEC/AUT/BV-23-C", "Bonded client on an unencrypted link: Insufficient Encryption",
      "Vol 3 Part C 10.3.1 (Table 10.2); Vol 3 Part F 3.4.1.1", roles=PER, requires=("protected",))
async def bonded_unencrypted(ctx: CaseContext) -> None:
    char = ctx.need(ctx.profile.protected, "value needing security")
    await legacy_just_works(ctx, rkd=KeyDistribution.ENC_KEY)
    link = await ctx.reconnect()
    answer = await link.att_request(att.ReadReq(char.value_handle))
    if not isinstance(answer, att.ErrorRsp):
        raise CaseFailed("the protected value was served on an unencrypted link")
    check(answer.error_code == att.ErrorCode.INSUFFICIENT_ENCRYPTION,
          f"the IUT answered {att.ErrorCode(answer.error_code).name}; with an LTK for this client the rule "
          "requires INSUFFICIENT_ENCRYPTION")


@case("GAP/PRIV/CONN/BV-10-C", "Privacy: after bonding, the IUT advertises with an RPA from its distributed IRK",
      "Vol 3 Part C 10.7, 10.8.2.3; Vol 6 Part B 1.3.2.2", roles=PER)
async def privacy_rpa(ctx: CaseContext) -> None:
    p = await legacy_just_works(ctx, rkd=KeyDistribution.ENC_KEY | KeyDistribution.ID_KEY)
    keys = p.keys
    if keys is None or keys.irk is None:
        raise NotApplicable("the IUT distributed no IRK (no privacy)")
    address = ctx.link.conn.peer_address
    if not (address.is_random and address.value[5] >> 6 == 0b01):
        raise NotApplicable("the IUT connected with its identity address (privacy off)")
    check(tb.rpa_matches_le(keys.irk, address.value), f"the IUT's RPA {address} does not resolve with its IRK")


@case("AIOBLE/GAP/AD/BI-01", "Advertising data is well-formed AD structures", "Vol 3 Part C 11; CSS Part A",
      roles=PER, connect=False)
async def ad_well_formed(ctx: CaseContext) -> None:
    for report in await _reports(ctx):
        _ad_structures(report.data)
        check(len(report.data) <= 31 or not report.legacy, f"legacy advertising data of {len(report.data)} octets")
