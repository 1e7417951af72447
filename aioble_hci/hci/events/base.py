"""What every HCI event shares: framing, the code registries, and `parse_event`.

An event packet is Event_Code (1 octet), Parameter_Total_Length (1 octet) and
the parameters (Vol 4 Part E, 5.4.4). LE events share code 0x3E and start
their parameters with a sub-event code (Vol 4 Part E, 7.7.65).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from aioble_hci.hci.constants import EventCode, LeSubevent, spec_name
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.fields import HciStruct
from aioble_hci.records import dataclass

E = TypeVar("E", bound="Event")

EVENTS: dict[int, type[Event]] = {}
"""Event class by event code (not LE Meta), filled as event modules are imported."""

LE_EVENTS: dict[int, type[LeMetaEvent]] = {}
"""LE Meta event class by sub-event code."""


def event_name(code: int, subevent: int | None = None) -> str:
    """The spec name of an event code (and LE sub-event), e.g. 'LE Connection Complete'."""
    if code == EventCode.LE_META and subevent is not None:
        try:
            member = LeSubevent(subevent).name
        except ValueError:
            return f"LE Meta subevent 0x{subevent:02x}"
    else:
        try:
            member = EventCode(code).name
        except ValueError:
            return f"Unknown event 0x{code:02x}"
    return spec_name(member)


class Event(HciStruct):
    """Base of event dataclasses. `parameters()` is everything after the 2-byte header."""

    __slots__ = ()
    EVENT_CODE: ClassVar[int]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "EVENT_CODE" in cls.__dict__ and cls.EVENT_CODE != EventCode.LE_META:
            EVENTS[cls.EVENT_CODE] = cls

    @property
    def name(self) -> str:
        return event_name(self.EVENT_CODE)

    def parameters(self) -> bytes:
        """The event parameters (without code and length)."""
        return self.encode_fields()

    def to_bytes(self) -> bytes:
        """The whole event packet: code, length, parameters (no H4 indicator)."""
        params = self.parameters()
        if len(params) > 255:
            raise ValueError(f"{type(self).__name__}: parameters are {len(params)} bytes, HCI allows 255")
        return bytes((self.EVENT_CODE, len(params))) + params

    @classmethod
    def from_parameters(cls: type[E], params: bytes) -> E:
        """Decode the event's parameters; HciDecodeError if they do not fit exactly."""
        return cls.decode_fields(params)

    def describe(self) -> str:
        """One line for logs: name and fields."""
        return f"{self.name} {self.describe_fields()}".rstrip()


class LeMetaEvent(Event):
    """Base of LE Meta sub-events; `parameters()` starts with the sub-event code."""

    __slots__ = ()
    EVENT_CODE: ClassVar[int] = EventCode.LE_META
    SUBEVENT: ClassVar[int]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "SUBEVENT" in cls.__dict__:
            LE_EVENTS[cls.SUBEVENT] = cls

    @property
    def name(self) -> str:
        return event_name(EventCode.LE_META, self.SUBEVENT)

    def parameters(self) -> bytes:
        return bytes((self.SUBEVENT,)) + self.encode_fields()

    @classmethod
    def from_parameters(cls: type[E], params: bytes) -> E:
        sub = getattr(cls, "SUBEVENT")  # noqa: B009 - E is bound to Event, not LeMetaEvent
        if not params or params[0] != sub:
            raise HciDecodeError(f"{cls.__name__}: parameters do not start with sub-event code 0x{sub:02x}")
        return cls.decode_fields(params[1:])


@dataclass(frozen=True, slots=True)
class UnknownEvent(Event):
    """An event code this library does not decode, kept raw."""

    code: int
    parameters: bytes  # type: ignore[assignment]

    def to_bytes(self) -> bytes:
        return bytes((self.code, len(self.parameters))) + self.parameters

    @property
    def name(self) -> str:
        return event_name(self.code)

    def describe(self) -> str:
        return f"{self.name} {self.parameters.hex()}".rstrip()


@dataclass(frozen=True, slots=True)
class UnknownLeMetaEvent(Event):
    """An LE Meta sub-event this library does not decode; `parameters` follow the sub-event code."""

    subevent: int
    parameters: bytes  # type: ignore[assignment]

    def to_bytes(self) -> bytes:
        return bytes((EventCode.LE_META, len(self.parameters) + 1, self.subevent)) + self.parameters

    @property
    def name(self) -> str:
        return event_name(EventCode.LE_META, self.subevent)

    def describe(self) -> str:
        return f"{self.name} {self.parameters.hex()}".rstrip()


@dataclass(frozen=True, slots=True)
class VendorEvent(Event):
    """A vendor-specific event (code 0xFF, Vol 4 Part E, 5.4.4), kept raw."""

    EVENT_CODE: ClassVar[int] = EventCode.VENDOR
    parameters: bytes  # type: ignore[assignment]

    @classmethod
    def from_parameters(cls, params: bytes) -> VendorEvent:
        return cls(bytes(params))

    def to_bytes(self) -> bytes:
        return bytes((EventCode.VENDOR, len(self.parameters))) + self.parameters

    @property
    def name(self) -> str:
        return "Vendor"

    def describe(self) -> str:
        return f"Vendor event {self.parameters.hex()}".rstrip()


def parse_event(payload: bytes) -> Event:
    """Decode one event packet (code, length, parameters; no H4 indicator).

    Unknown codes and sub-events come back raw (`UnknownEvent`,
    `UnknownLeMetaEvent`), vendor events as `VendorEvent`. Anything truncated,
    over-long or inconsistent raises HciDecodeError naming the event, and
    nothing else is raised.
    """
    if len(payload) < 2:
        raise HciDecodeError(f"HCI event: {len(payload)} byte(s) is shorter than the 2-byte header")
    code = payload[0]
    length = payload[1]
    params = bytes(payload[2:])
    if len(params) != length:
        raise HciDecodeError(f"HCI event {event_name(code)}: header says {length} parameter bytes, got {len(params)}")
    cls: type[Event] | None
    if code == EventCode.LE_META:
        if not params:
            raise HciDecodeError("HCI event LE Meta: no sub-event code")
        cls = LE_EVENTS.get(params[0])
        if cls is None:
            return UnknownLeMetaEvent(params[0], params[1:])
    else:
        if code == EventCode.VENDOR:
            return VendorEvent(params)
        cls = EVENTS.get(code)
        if cls is None:
            return UnknownEvent(code, params)
    try:
        return cls.from_parameters(params)
    except ValueError as e:  # HciDecodeError, or a value an Address/enum refused
        # The name is only worked out here: parse_event is on the advertising-ingest hot path.
        name = event_name(code, params[0]) if code == EventCode.LE_META else event_name(code)
        raise HciDecodeError(f"HCI event {name}: {e}") from None
