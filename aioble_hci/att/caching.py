"""What a change of the server's database means for its clients (Vol 3 Part G 2.5.2, 7.1).

`changed_range(old, new)` is the handle range a Service Changed indication names: every handle
whose attribute appeared, went away or changed its layout (type, or declaration value), widened
to the whole services around it. `surviving_subscriptions(old, new, cccd)` keeps the CCCD values
of characteristics that still exist: the same service and characteristic declarations and the
same CCCD, at the same handles, so a client's subscription (expressed in handles) still names
the same thing.
"""

from __future__ import annotations

from aioble_hci.att.database import Attribute, AttributeDatabase
from aioble_hci.att.gatt import (
    CHARACTERISTIC,
    CHARACTERISTIC_EXTENDED_PROPERTIES,
    INCLUDE,
    PRIMARY_SERVICE,
    SECONDARY_SERVICE,
)

_LAYOUT_VALUES = frozenset(
    (PRIMARY_SERVICE, SECONDARY_SERVICE, INCLUDE, CHARACTERISTIC, CHARACTERISTIC_EXTENDED_PROPERTIES)
)
_SERVICES = (PRIMARY_SERVICE, SECONDARY_SERVICE)


def _layout(attr: Attribute | None) -> tuple[object, ...] | None:
    """What a client caches of an attribute: its type and, for declarations, their value."""
    if attr is None:
        return None
    value = attr.value.data if attr.type in _LAYOUT_VALUES else b""
    return (attr.type, value, attr.is_cccd, attr.characteristic_value_handle)


def _service_around(db: AttributeDatabase, handle: int) -> tuple[int, int] | None:
    """(declaration handle, end group handle) of the service holding `handle` in `db`."""
    found = None
    for attr in db.range(1, handle):
        if attr.type in _SERVICES:
            found = attr
    if found is None or found.end_group_handle is None or found.end_group_handle < handle:
        return None
    return found.handle, found.end_group_handle


def changed_range(old: AttributeDatabase, new: AttributeDatabase) -> tuple[int, int] | None:
    """The handles affected by replacing `old` with `new`, whole services; None when the layout
    a client caches is the same (a change of characteristic values is not a service change, 7.1)."""
    handles = {a.handle for a in old} | {a.handle for a in new}
    differing = [h for h in handles if _layout(old.get(h)) != _layout(new.get(h))]
    if not differing:
        return None
    start, end = min(differing), max(differing)
    for db in (old, new):
        for edge in (start, end):
            around = _service_around(db, edge)
            if around is not None:
                start, end = min(start, around[0]), max(end, around[1])
    return start, end


def same_characteristic(old: AttributeDatabase, new: AttributeDatabase, cccd_handle: int) -> bool:
    """Whether the CCCD at `cccd_handle` belongs to the same characteristic, in the same service,
    at the same handles, in both databases."""
    before, after = old.get(cccd_handle), new.get(cccd_handle)
    if before is None or after is None or not (before.is_cccd and after.is_cccd):
        return False
    value_handle = after.characteristic_value_handle
    if before.characteristic_value_handle != value_handle:
        return False
    for handle in (value_handle - 1, value_handle):
        if _layout(old.get(handle)) != _layout(new.get(handle)):
            return False
    service_before, service_after = _service_around(old, cccd_handle), _service_around(new, cccd_handle)
    if service_before is None or service_before[0] != (service_after or (0, 0))[0]:
        return False
    return _layout(old.get(service_before[0])) == _layout(new.get(service_before[0]))


def surviving_subscriptions(
    old: AttributeDatabase, new: AttributeDatabase, cccd: dict[int, int]
) -> dict[int, int]:
    """The CCCD values (by CCCD handle) of characteristics that still exist in `new`."""
    return {h: v for h, v in cccd.items() if v and same_characteristic(old, new, h)}
