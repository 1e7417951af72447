"""What the IUT offers, found at run time over raw ATT (Vol 3 Part G, 4.4-4.7 procedures).

The tester discovers the IUT's services, characteristics and descriptors once per run and
probes each readable value once, so cases can pick "a readable value", "a value needing
authentication", "a value without the Write property", ... and be not applicable when the IUT
has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aioble_hci.att import pdus as att
from aioble_hci.uuid import UUID

from .link import TesterLink

PRIMARY_SERVICE = UUID(0x2800)
INCLUDE = UUID(0x2802)
CHARACTERISTIC = UUID(0x2803)
CCCD = UUID(0x2902)
SERVICE_CHANGED = UUID(0x2A05)

READ, WRITE_WITHOUT_RESPONSE, WRITE, NOTIFY, INDICATE = 0x02, 0x04, 0x08, 0x10, 0x20
PROTECTED_ERRORS = (att.ErrorCode.INSUFFICIENT_AUTHENTICATION, att.ErrorCode.INSUFFICIENT_ENCRYPTION,
                    att.ErrorCode.ENCRYPTION_KEY_SIZE_TOO_SHORT, att.ErrorCode.INSUFFICIENT_AUTHORIZATION)


@dataclass
class Service:
    start: int
    end: int
    uuid: UUID


@dataclass
class Characteristic:
    declaration: int
    properties: int
    value_handle: int
    uuid: UUID
    end: int = 0xFFFF
    descriptors: dict[int, UUID] = field(default_factory=dict)
    value: bytes | None = None  # what a plain read gave (None: not read or refused)
    read_error: int | None = None

    @property
    def cccd(self) -> int | None:
        return next((h for h, u in self.descriptors.items() if u == CCCD), None)


@dataclass
class IutProfile:
    services: list[Service] = field(default_factory=list)
    includes: list[tuple[int, int, int]] = field(default_factory=list)  # (declaration, start, end)
    characteristics: list[Characteristic] = field(default_factory=list)

    def first(self, predicate: object) -> Characteristic | None:
        return next((c for c in self.characteristics if predicate(c)), None)  # type: ignore[operator]

    @property
    def readable(self) -> Characteristic | None:
        return self.first(lambda c: c.value is not None)

    @property
    def readables(self) -> list[Characteristic]:
        return [c for c in self.characteristics if c.value is not None]

    @property
    def long_readable(self) -> Characteristic | None:
        return self.first(lambda c: c.value is not None and len(c.value) >= att.ATT_DEFAULT_MTU - 1)

    @property
    def not_readable(self) -> Characteristic | None:
        return self.first(lambda c: not c.properties & READ)

    @property
    def protected(self) -> Characteristic | None:
        return self.first(lambda c: c.read_error in PROTECTED_ERRORS)

    @property
    def writable(self) -> Characteristic | None:
        """A value with the Write property that reads back (so the tester can check what it wrote)."""
        return self.first(lambda c: c.properties & WRITE and c.value is not None) or self.first(
            lambda c: c.properties & WRITE and c.read_error not in PROTECTED_ERRORS)

    @property
    def write_without_response(self) -> Characteristic | None:
        return self.first(lambda c: c.properties & WRITE_WITHOUT_RESPONSE and c.value is not None)

    @property
    def not_writable(self) -> Characteristic | None:
        return self.first(lambda c: not c.properties & (WRITE | WRITE_WITHOUT_RESPONSE | 0x40))

    def with_property(self, prop: int) -> Characteristic | None:
        """An application value with `prop` and a CCCD (not Service Changed, which only a database
        change triggers)."""
        return self.first(lambda c: c.properties & prop and c.cccd is not None and c.uuid != SERVICE_CHANGED)

    def service_of(self, handle: int) -> Service | None:
        return next((s for s in self.services if s.start <= handle <= s.end), None)

    def absent_uuid(self) -> UUID:
        """A 16-bit UUID no attribute of the IUT has (for Attribute Not Found cases)."""
        used = {c.uuid for c in self.characteristics} | {s.uuid for s in self.services}
        return next(UUID(v) for v in range(0xFFF0, 0xFF00, -1) if UUID(v) not in used)


async def discover(link: TesterLink) -> IutProfile:
    """Discover all primary services, included services, characteristics and descriptors, and
    read each readable value once."""
    profile = IutProfile()
    start = 1
    while start <= 0xFFFF:
        answer = await link.att_request(att.ReadByGroupTypeReq(start, 0xFFFF, PRIMARY_SERVICE))
        if not isinstance(answer, att.ReadByGroupTypeRsp):
            break
        for entry in answer.attribute_data:
            profile.services.append(Service(entry[0], entry[1], UUID(bytes(entry[2]))))
        last = profile.services[-1].end
        if last >= 0xFFFF:
            break
        start = last + 1
    for service in profile.services:
        await _characteristics(link, profile, service)
    await _includes(link, profile)
    for char in profile.characteristics:
        if char.value_handle < char.end:
            answer = await link.att_request(att.FindInformationReq(char.value_handle + 1, char.end))
            if isinstance(answer, att.FindInformationRsp):
                for handle, uuid in answer.information:
                    char.descriptors[handle] = uuid
        if char.properties & READ:
            answer = await link.att_request(att.ReadReq(char.value_handle))
            if isinstance(answer, att.ReadRsp):
                char.value = answer.attribute_value
            elif isinstance(answer, att.ErrorRsp):
                char.read_error = int(answer.error_code)
    return profile


async def _characteristics(link: TesterLink, profile: IutProfile, service: Service) -> None:
    start = service.start
    found: list[Characteristic] = []
    while start <= service.end:
        answer = await link.att_request(att.ReadByTypeReq(start, service.end, CHARACTERISTIC))
        if not isinstance(answer, att.ReadByTypeRsp):
            break
        for entry in answer.attribute_data:
            handle, value = entry[0], bytes(entry[1])
            found.append(Characteristic(handle, value[0], value[1] | value[2] << 8, UUID(value[3:])))
        start = found[-1].declaration + 1
    for i, char in enumerate(found):
        char.end = found[i + 1].declaration - 1 if i + 1 < len(found) else service.end
    profile.characteristics += found


async def _includes(link: TesterLink, profile: IutProfile) -> None:
    start = 1
    while start <= 0xFFFF:
        answer = await link.att_request(att.ReadByTypeReq(start, 0xFFFF, INCLUDE))
        if not isinstance(answer, att.ReadByTypeRsp):
            return
        for entry in answer.attribute_data:
            value = bytes(entry[1])
            profile.includes.append((entry[0], value[0] | value[1] << 8, value[2] | value[3] << 8))
        start = profile.includes[-1][0] + 1
