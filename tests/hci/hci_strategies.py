"""Hypothesis strategies that build any HCI command, return-parameters or event dataclass."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from aioble_hci.address import Address, AddressType
from aioble_hci.hci import commands as c
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import StatusCode
from aioble_hci.hci.events.le_advertising import _address
from aioble_hci.hci.fields import (
    BareAddressCodec,
    CountedList,
    FixedBytes,
    HciStruct,
    LengthPrefixed,
    PaddedData,
    RestBytes,
    StatusCodec,
    TypedAddressCodec,
    UInt,
)

addresses = st.builds(Address, st.binary(min_size=6, max_size=6), st.sampled_from(list(AddressType)))
statuses = st.integers(0, 255).map(StatusCode)


def _codec_strategy(codec: Any) -> st.SearchStrategy[Any]:
    if isinstance(codec, UInt):
        bits = 8 * codec.size
        if codec.signed:
            return st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
        return st.integers(0, (1 << bits) - 1)
    if isinstance(codec, FixedBytes):
        return st.binary(min_size=codec.size, max_size=codec.size)
    if isinstance(codec, RestBytes):
        return st.binary(max_size=40)
    if isinstance(codec, LengthPrefixed):
        return st.binary(max_size=60)
    if isinstance(codec, PaddedData):
        return st.binary(max_size=codec.size)
    if isinstance(codec, TypedAddressCodec):
        return addresses
    if isinstance(codec, BareAddressCodec):
        return st.binary(min_size=6, max_size=6).map(lambda v, k=codec.kind: Address(v, k))
    if isinstance(codec, StatusCodec):
        return statuses
    if isinstance(codec, CountedList):
        return st.lists(struct_strategy(codec.item), max_size=4).map(tuple)
    raise TypeError(f"no strategy for {codec!r}")


def struct_strategy(cls: type[HciStruct]) -> st.SearchStrategy[Any]:
    """Instances of a declaratively coded dataclass."""
    return st.fixed_dictionaries({name: _codec_strategy(codec) for name, codec in cls.field_codecs()}).map(lambda kw: cls(**kw))


def _phys(block: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[int, tuple[Any, ...]]]:
    def build(mask: int) -> st.SearchStrategy[tuple[int, tuple[Any, ...]]]:
        return st.lists(block, min_size=bin(mask).count("1"), max_size=bin(mask).count("1")).map(lambda b: (mask, tuple(b)))

    return st.integers(0, 7).flatmap(build)


_CUSTOM_COMMANDS: dict[type, st.SearchStrategy[Any]] = {
    c.LeSetExtendedScanParameters: st.tuples(st.integers(0, 255), st.integers(0, 255), _phys(struct_strategy(c.ScanningPhyParameters))).map(
        lambda t: c.LeSetExtendedScanParameters(t[0], t[1], t[2][0], t[2][1])
    ),
    c.LeExtendedCreateConnection: st.tuples(
        st.integers(0, 255), st.integers(0, 255), addresses, _phys(struct_strategy(c.InitiatingPhyParameters))
    ).map(
        lambda t: c.LeExtendedCreateConnection(
            initiator_filter_policy=t[0], own_address_type=t[1], peer_address=t[2], initiating_phys=t[3][0], phy_parameters=t[3][1]
        )
    ),
}


def command_strategy(cls: type[c.Command]) -> st.SearchStrategy[Any]:
    return _CUSTOM_COMMANDS[cls] if cls in _CUSTOM_COMMANDS else struct_strategy(cls)


_s8 = st.integers(-128, 127)
_u8 = st.integers(0, 255)
_u16 = st.integers(0, 0xFFFF)
_raw_address_types = st.sampled_from([0, 1, 2, 3, 0xFE, 0xFF])


def _ext_report() -> st.SearchStrategy[Any]:
    def build(t: tuple[Any, ...]) -> Any:
        (etype, atype, addr, pphy, sphy, sid, txp, rssi, interval, dtype, daddr, data) = t
        return ev.ExtendedAdvertisingReport(etype, atype, _address(addr, atype), pphy, sphy, sid, txp, rssi, interval, dtype, _address(daddr, dtype), data)

    six = st.binary(min_size=6, max_size=6)
    return st.tuples(_u16, _raw_address_types, six, _u8, _u8, _u8, _s8, _s8, _u16, _raw_address_types, six, st.binary(max_size=40)).map(build)


def _direct_report() -> st.SearchStrategy[Any]:
    six = st.binary(min_size=6, max_size=6)
    return st.tuples(_u8, _raw_address_types, six, _raw_address_types, six, _s8).map(
        lambda t: ev.DirectedAdvertisingReport(t[0], t[1], _address(t[2], t[1]), t[3], _address(t[4], t[3]), t[5])
    )


_CUSTOM_EVENTS: dict[type, st.SearchStrategy[Any]] = {
    ev.NumberOfCompletedPackets: st.lists(st.tuples(_u16, _u16), max_size=10).map(
        lambda pairs: ev.NumberOfCompletedPackets(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))
    ),
    ev.LeAdvertisingReport: st.lists(
        st.builds(ev.AdvertisingReport, _u8, addresses, st.binary(max_size=31), _s8), max_size=4
    ).map(lambda r: ev.LeAdvertisingReport(tuple(r))),
    ev.LeExtendedAdvertisingReport: st.lists(_ext_report(), max_size=3).map(lambda r: ev.LeExtendedAdvertisingReport(tuple(r))),
    ev.LeDirectedAdvertisingReport: st.lists(_direct_report(), max_size=4).map(lambda r: ev.LeDirectedAdvertisingReport(tuple(r))),
    ev.VendorEvent: st.binary(max_size=255).map(ev.VendorEvent),
}


def event_strategy(cls: type[ev.Event]) -> st.SearchStrategy[Any]:
    return _CUSTOM_EVENTS[cls] if cls in _CUSTOM_EVENTS else struct_strategy(cls)


ALL_EVENT_CLASSES = sorted({*ev.EVENTS.values(), *ev.LE_EVENTS.values()}, key=lambda k: k.__name__)
ALL_COMMAND_CLASSES = sorted(set(c.COMMANDS.values()), key=lambda k: k.__name__)
