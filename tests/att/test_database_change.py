"""What a change of the server's database means for a client (Vol 3 Part G 2.5.2, 7.1): the handle
range Service Changed names, and which subscriptions still name the same characteristic."""

from __future__ import annotations

from aioble_hci.att.caching import changed_range, surviving_subscriptions
from aioble_hci.att.gatt import Characteristic, Service, build_database, gap_service, gatt_service
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.att.server import AttServer
from aioble_hci.uuid import UUID
from tests.att.drive import sent, serve

NOTIFY = P.READ | P.NOTIFY


def layout(*services: Service) -> list[Service]:
    return [gap_service(), gatt_service(), *services]


def test_changed_range_covers_the_whole_modified_service() -> None:
    """Vol 3 Part G 7.1: the range covers the service whose characteristics changed, from its
    declaration to its last handle, and not the services before it."""
    before = Service(UUID(0xA000), [Characteristic(UUID(0xA001), NOTIFY)])
    after = Service(UUID(0xA000), [Characteristic(UUID(0xA001), NOTIFY), Characteristic(UUID(0xA002), P.READ)])
    old, new = build_database(layout(before)), build_database(layout(after))

    assert changed_range(old, new) == (after.handle, after.end_handle)


def test_same_layout_with_other_values_is_no_change() -> None:
    """Vol 3 Part G 7.1: a change to a characteristic value is not a modification of the service."""
    one = Service(UUID(0xA000), [Characteristic(UUID(0xA001), P.READ, value=b"1")])
    two = Service(UUID(0xA000), [Characteristic(UUID(0xA001), P.READ, value=b"two")])

    assert changed_range(build_database(layout(one)), build_database(layout(two))) is None


def test_a_moved_characteristic_loses_its_subscription_an_unchanged_one_keeps_it() -> None:
    """A subscription by handle survives only where the same characteristic still is."""
    kept = Characteristic(UUID(0xB001), NOTIFY)
    moved = Characteristic(UUID(0xB002), NOTIFY)
    old = build_database(layout(Service(UUID(0xB000), [kept]), Service(UUID(0xB100), [moved])))
    cccd = {kept.cccd_handle: 1, moved.cccd_handle: 1}
    kept_again = Characteristic(UUID(0xB001), NOTIFY)
    inserted = Characteristic(UUID(0xB0FF), NOTIFY)
    moved_again = Characteristic(UUID(0xB002), NOTIFY)
    new = build_database(layout(Service(UUID(0xB000), [kept_again]), Service(UUID(0xB0F0), [inserted]),
                                Service(UUID(0xB100), [moved_again])))

    assert surviving_subscriptions(old, new, cccd) == {kept_again.cccd_handle: 1}
    assert inserted.cccd_handle == moved.cccd_handle  # the old handle now names another one


def test_service_changed_owed_until_confirmed_and_merged_across_changes() -> None:
    """Vol 3 Part G 7.1: changes not yet indicated are indicated together; a confirmation of an
    older range leaves the newer change owed."""
    gatt = gatt_service()
    sc = gatt.characteristics[0]
    server = AttServer(build_database([gap_service(), gatt]))
    serve(server, bytes((0x12,)) + sc.cccd_handle.to_bytes(2, "little") + b"\x02\x00", 0.0)

    server.database_changed(0x0020, 0x0030)
    assert server.send_owed_service_changed(0.0)
    first = sent(server)
    server.database_changed(0x0010, 0x0018)
    assert first[3:] == bytes.fromhex("20003000")
    serve(server, b"\x1e", 0.0)

    assert server.send_owed_service_changed(0.0)
    assert sent(server)[3:] == bytes.fromhex("10003000")
    serve(server, b"\x1e", 0.0)
    assert server.service_change_owed is None and not server.send_owed_service_changed(0.0)
