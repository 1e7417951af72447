"""What a capture tells about a remote device: the dataclasses the model builder fills.

A `DeviceModel` is one remote GATT server (a peripheral the capturing host connected to) as far
as the capture shows it: its address, its advertising, the attribute layout found by discovery
(Core Vol 3 Part G 4.4-4.7), what it answered to reads and writes, and the notifications and
indications it sent after each of the client's actions. `Advertiser` is one device seen
advertising (Vol 4 Part E 7.7.65.2 and 7.7.65.13). Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aioble_hci.address import Address
from aioble_hci.uuid import UUID


@dataclass
class Advertiser:
    """One advertiser: the last advertising data and scan response seen, and when it was seen."""

    address: Address
    adv_data: bytes = b""
    scan_response: bytes = b""
    connectable: bool = False
    scannable: bool = False
    extended: bool = False
    """Seen only in extended advertising reports with non-legacy PDUs."""
    reports: int = 0
    first_seen: float | None = None
    last_seen: float | None = None
    rssi: int | None = None
    times: list[float] = field(default_factory=list)

    @property
    def interval(self) -> float | None:
        """Rough advertising interval: the median gap between advertising reports (not scan responses)."""
        gaps = sorted(b - a for a, b in zip(self.times, self.times[1:], strict=False) if b > a)
        return gaps[len(gaps) // 2] if gaps else None


@dataclass
class DescriptorModel:
    """An attribute inside a characteristic definition found by Find Information (Vol 3 Part G 4.7.1)."""

    handle: int
    uuid: UUID


@dataclass
class CharacteristicModel:
    """A characteristic declaration as discovered (Vol 3 Part G 3.3.1): raw properties, handles, UUID."""

    declaration_handle: int
    properties: int
    value_handle: int
    uuid: UUID
    descriptors: list[DescriptorModel] = field(default_factory=list)

    @property
    def cccd_handle(self) -> int | None:
        return next((d.handle for d in self.descriptors if d.uuid == UUID(0x2902)), None)


@dataclass
class ServiceModel:
    """A service declaration (Vol 3 Part G 3.1) and the characteristics found inside it."""

    handle: int
    end_handle: int
    uuid: UUID
    primary: bool = True
    characteristics: list[CharacteristicModel] = field(default_factory=list)
    includes: list[tuple[int, int, int, UUID | None]] = field(default_factory=list)
    """Include declarations: (handle, included start, included end, UUID or None for 128-bit)."""
    characteristics_discovered: bool = False
    descriptors_discovered: bool = False


@dataclass(frozen=True)
class ReadOutcome:
    """One read the client made: the whole value (Read + Read Blob parts joined), or an error code."""

    value: bytes = b""
    error: int | None = None
    time: float | None = None


@dataclass(frozen=True)
class Notification:
    """A Handle Value Notification or Indication, `delay` seconds after the action that preceded it."""

    handle: int
    value: bytes
    delay: float
    indication: bool = False


@dataclass
class Action:
    """Something the client did that the device reacted to, and the device's reaction.

    kind is "connect" (the connection itself), "write" (Write Request, Write Command, or an
    executed long write). `error` is the ATT error code the device answered (None: accepted,
    or a command that gets no answer). `notifications` are what the device sent after it and
    before the client's next action, with their delays from the action.
    """

    kind: str
    handle: int = 0
    value: bytes = b""
    with_response: bool = True
    error: int | None = None
    time: float | None = None
    notifications: list[Notification] = field(default_factory=list)


@dataclass
class Session:
    """One connection to the device in the capture."""

    connection_handle: int
    opened: float | None
    encrypted: bool = False
    encryption_key_in_capture: bool = False
    actions: list[Action] = field(default_factory=list)


@dataclass
class DeviceModel:
    """A remote GATT server reconstructed from a capture, with what could not be reconstructed."""

    address: Address | None
    advertiser: Advertiser | None = None
    services: list[ServiceModel] = field(default_factory=list)
    attribute_types: dict[int, UUID] = field(default_factory=dict)
    """Every handle whose type the capture shows (declarations, values, descriptors)."""
    reads: dict[int, list[ReadOutcome]] = field(default_factory=dict)
    sessions: list[Session] = field(default_factory=list)
    server_mtu: int | None = None
    handles_used: set[int] = field(default_factory=set)
    """Handles the client read, wrote, or the device notified."""
    notes: list[str] = field(default_factory=list)
    """What the builder could not reconstruct, one sentence each."""

    def characteristics(self) -> list[CharacteristicModel]:
        return [c for s in self.services for c in s.characteristics]

    def characteristic_of(self, value_handle: int) -> CharacteristicModel | None:
        return next((c for c in self.characteristics() if c.value_handle == value_handle), None)

    def actions(self) -> list[Action]:
        return [a for s in self.sessions for a in s.actions]

    def known_handles(self) -> set[int]:
        """Handles the discovery placed: declarations, values, descriptors."""
        handles: set[int] = set()
        for s in self.services:
            handles.add(s.handle)
            handles.update(h for h, _, _, _ in s.includes)
            for c in s.characteristics:
                handles.update((c.declaration_handle, c.value_handle))
                handles.update(d.handle for d in c.descriptors)
        return handles

    def undiscovered_handles(self) -> list[int]:
        """Handles the client used that no discovery in the capture placed."""
        return sorted(self.handles_used - self.known_handles())

    @property
    def writes(self) -> int:
        return sum(1 for a in self.actions() if a.kind == "write")

    @property
    def notifications(self) -> int:
        return sum(len(a.notifications) for a in self.actions())


@dataclass
class CaptureModel:
    """Everything a capture shows: the GATT servers the host connected to, and every advertiser."""

    devices: list[DeviceModel] = field(default_factory=list)
    advertisers: dict[Address, Advertiser] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """Facts about the capture as a whole (read errors, connections where we were the server)."""
