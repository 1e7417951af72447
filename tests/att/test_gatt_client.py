"""GATT client procedures run against the ATT server, back to back, and against scripted peers."""

from __future__ import annotations

from typing import Any

import pytest

from aioble_hci.att import pdus
from aioble_hci.att.client import AttClient
from aioble_hci.att.database import OPEN_LINK, SecurityState
from aioble_hci.att.errors import AttError, AttTimeoutError, BearerClosedError
from aioble_hci.att.events import (
    IndicationConfirmed,
    IndicationReceived,
    NotificationReceived,
    ProcedureFinished,
    Role,
    ServiceChangedReceived,
    SubscriptionChanged,
    TransactionTimedOut,
    Written,
)
from aioble_hci.att.gatt import CHARACTERISTIC_USER_DESCRIPTION, CLIENT_CHARACTERISTIC_CONFIGURATION
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.att.procedures import (
    CharacteristicInfo,
    DescriptorInfo,
    DiscoverCharacteristics,
    DiscoverDescriptors,
    DiscoverPrimaryServices,
    FindIncludedServices,
    GattProtocolError,
    IncludedServiceInfo,
    Procedure,
    Read,
    ReadByUuid,
    ReadMultiple,
    ServiceInfo,
    Write,
    reliable_write,
    subscribe,
    write_long,
)
from aioble_hci.att.server import AttServer
from aioble_hci.att.signing import sign
from aioble_hci.uuid import UUID
from tests.att.drive import hear, sent, serve, tick

from .conftest import LONG_VALUE, SampleDb


class Link:
    """Client and server wired back to back; collects the server's events."""

    def __init__(self, tdb: SampleDb, sec: SecurityState = OPEN_LINK) -> None:
        self.server = AttServer(tdb.db, connection="peer")
        self.client = AttClient(connection="server")
        self.sec = sec
        self.server_events: list[Any] = []
        self.client_events: list[Any] = []

    def run(self, proc: Procedure) -> Procedure:
        self.client.submit(proc, 0.0)
        self.pump()
        assert proc.done
        return proc

    def pump(self) -> None:
        self.client_events += self.client.take_events()
        for _ in range(1000):
            out = self.client.data_to_send()
            if not out:
                return
            for pdu in out:
                result = serve(self.server, pdu, 0.0, self.sec)
                self.server_events += result.events
                if result.response is not None:
                    self.client_events += hear(self.client, result.response, 0.0)
        raise AssertionError("procedure never finished")

    def to_client(self, pdu: bytes) -> list[Any]:
        events = hear(self.client, pdu, 0.0)
        self.client_events += events
        self.pump()
        return events


@pytest.fixture
def link(tdb: SampleDb) -> Link:
    return Link(tdb)


def test_mtu_exchange_sets_mtu_on_both_sides(link: Link) -> None:
    link.client.rx_mtu = 185
    proc = link.run(link.client.exchange_mtu(0.0))
    assert proc.result == 185
    assert link.client.mtu == 185 and link.server.mtu == 185


def test_exchange_mtu_request_is_sent_once_per_connection(link: Link) -> None:
    """Vol 3 Part F 3.4.2.1: the client sends Exchange MTU Request only once per connection; a
    second exchange finishes at once with the negotiated ATT_MTU and puts nothing on the wire."""
    link.client.rx_mtu = 185
    link.run(link.client.exchange_mtu(0.0))
    link.client.rx_mtu = 247

    again = link.client.exchange_mtu(0.0)

    assert link.client.data_to_send() == []
    assert again.done and again.error is None and again.result == 185
    assert link.client.mtu == 185


def test_discover_all_primary_services(link: Link, tdb: SampleDb) -> None:
    proc = link.run(DiscoverPrimaryServices())
    assert proc.result == [
        ServiceInfo(1, 5, UUID(0x1800)),
        ServiceInfo(6, 9, UUID(0x1801)),
        ServiceInfo(13, 34, UUID(0xAA00)),
        ServiceInfo(35, 37, tdb.long_uuid_service.uuid),
    ]


def test_discover_primary_service_by_uuid(link: Link, tdb: SampleDb) -> None:
    assert link.run(DiscoverPrimaryServices(UUID(0xAA00))).result == [
        ServiceInfo(13, 34, UUID(0xAA00))
    ]
    assert link.run(DiscoverPrimaryServices(tdb.long_uuid_service.uuid)).result == [
        ServiceInfo(35, 37, tdb.long_uuid_service.uuid)
    ]
    assert link.run(DiscoverPrimaryServices(UUID(0x9999))).result == []


def test_find_included_services(link: Link) -> None:
    proc = link.run(FindIncludedServices(13, 34))
    assert proc.result == [IncludedServiceInfo(14, 10, 12, UUID(0xBB00))]


def test_find_included_service_with_128_bit_uuid_reads_it(tdb: SampleDb) -> None:
    from aioble_hci.att.gatt import Service, build_database

    inner = Service(UUID("12345678-0000-1000-8000-00805f9b34fc"), [], primary=False)
    outer = Service(UUID(0x1234), [], includes=[inner])
    db = build_database([inner, outer])
    link = Link(SampleDb(db, [], *([None] * 13)))  # type: ignore[arg-type]
    proc = link.run(FindIncludedServices(outer.handle, outer.end_handle))
    assert proc.result == [IncludedServiceInfo(3, 1, 1, inner.uuid)]


def test_discover_all_characteristics_of_a_service(link: Link, tdb: SampleDb) -> None:
    proc = link.run(DiscoverCharacteristics(13, 34))
    infos = proc.result
    assert [c.value_handle for c in infos] == [16, 18, 20, 22, 24, 26, 28, 30, 34]
    assert infos[0] == CharacteristicInfo(15, 16, 0x0E, UUID(0xAA01), 16)
    assert infos[7] == CharacteristicInfo(29, 30, 0x32, UUID(0xAA08), 32)
    assert infos[-1].end_handle == 34


def test_discover_characteristics_by_uuid_keeps_true_end_handles(link: Link) -> None:
    proc = link.run(DiscoverCharacteristics(13, 34, UUID(0xAA08)))
    assert proc.result == [CharacteristicInfo(29, 30, 0x32, UUID(0xAA08), 32)]


def test_discover_descriptors(link: Link) -> None:
    proc = link.run(DiscoverDescriptors(31, 32))
    assert proc.result == [
        DescriptorInfo(31, CLIENT_CHARACTERISTIC_CONFIGURATION),
        DescriptorInfo(32, CHARACTERISTIC_USER_DESCRIPTION),
    ]


def test_discover_descriptors_of_an_empty_range_is_empty(link: Link) -> None:
    proc = link.run(DiscoverDescriptors(17, 16))
    assert proc.result == [] and link.client.data_to_send() == []


def test_read_characteristic_value(link: Link) -> None:
    assert link.run(Read(16)).result == b"BlueZ"


def test_read_long_value_uses_read_blob(link: Link) -> None:
    assert link.run(Read(18, long=True)).result == LONG_VALUE


def test_read_long_value_ending_on_a_chunk_boundary(tdb: SampleDb) -> None:
    tdb.db.write_local(18, bytes(44))
    link = Link(tdb)
    assert link.run(Read(18, long=True)).result == bytes(44)


def test_read_by_uuid(link: Link) -> None:
    assert link.run(ReadByUuid(UUID(0xAA01))).result == [(16, b"BlueZ")]


def test_read_multiple(link: Link) -> None:
    assert link.run(ReadMultiple([16, 22])).result == b"BlueZr"


def test_read_multiple_variable(link: Link) -> None:
    assert link.run(ReadMultiple([16, 22], variable=True)).result == [b"BlueZ", b"r"]


def test_write_with_response(link: Link) -> None:
    proc = link.run(Write(16, b"hey"))
    assert proc.error is None
    assert link.server_events == [Written("peer", 16, b"hey")]


def test_write_without_response(link: Link) -> None:
    link.client.write_command(16, b"cmd", 0.0)
    out = serve(link.server, sent(link.client), 0.0)
    assert out.response is None and out.events == [Written("peer", 16, b"cmd")]


def test_write_without_response_longer_than_mtu_is_refused(link: Link) -> None:
    with pytest.raises(ValueError):
        link.client.write_command(16, bytes(21), 0.0)


def test_signed_write_without_response_reaches_the_server(tdb: SampleDb) -> None:
    from aioble_hci.att.server import SigningKey

    csrk = bytes(range(16))
    server = AttServer(tdb.db, signing_key=lambda: SigningKey(csrk))
    client = AttClient()
    client.signed_write_command(16, b"s", csrk, 0, 0.0)
    pdu = sent(client)
    assert pdu[-12:] == sign(csrk, pdu[:-12], 0)
    assert Written(None, 16, b"s") in serve(server, pdu, 0.0).events


def test_long_write_uses_prepared_writes(link: Link) -> None:
    value = bytes(range(60))
    proc = link.run(write_long(18, value))
    assert proc.error is None
    assert link.server_events == [Written("peer", 18, value)]


def test_reliable_write_of_two_values(link: Link) -> None:
    proc = link.run(reliable_write([(16, b"one"), (18, b"two" * 10)]))
    assert proc.error is None
    assert link.server_events == [Written("peer", 16, b"one"), Written("peer", 18, b"two" * 10)]


def test_reliable_write_cancels_when_the_echo_differs(link: Link) -> None:
    client = link.client
    proc = client.submit(reliable_write([(16, b"abc")]), 0.0)
    (prepare,) = client.data_to_send()
    assert prepare == bytes.fromhex("1610000000") + b"abc"
    hear(client, bytes.fromhex("1710000000") + b"abX", 0.0)
    assert client.data_to_send() == [b"\x18\x00"]
    hear(client, b"\x19", 0.0)
    assert isinstance(proc.error, GattProtocolError)


def test_long_write_error_cancels_the_queue(link: Link) -> None:
    proc = link.run(write_long(22, b"x" * 30))
    assert isinstance(proc.error, AttError)
    assert proc.error.code == ErrorCode.WRITE_NOT_PERMITTED


def test_subscribe_then_receive_notifications_routed_by_handle(link: Link) -> None:
    got: list[tuple[bytes, bool]] = []
    link.client.route(30, lambda value, ind: got.append((value, ind)))
    link.run(subscribe(31, notify=True))
    assert link.server_events == [SubscriptionChanged("peer", 30, 31, True, False)]
    assert link.server.update(30, b"tick", 0.0)
    pdu = sent(link.server)
    assert link.to_client(pdu) == [NotificationReceived(30, b"tick")]
    assert got == [(b"tick", False)]


def test_unsubscribe_writes_zero(link: Link) -> None:
    link.run(subscribe(31, notify=True))
    link.run(subscribe(31, notify=False))
    assert link.server.subscription(30) == 0


def test_indication_is_confirmed_automatically(link: Link) -> None:
    """GATT/CL/GAI/BV-01-C: the client answers an indication with a confirmation."""
    link.run(subscribe(31, notify=False, indicate=True))
    assert link.server.update(30, b"ind", 0.0)
    pdu = sent(link.server)
    assert pdu[0] == 0x1D
    assert link.to_client(pdu) == [IndicationReceived(30, b"ind")]
    assert IndicationConfirmed("peer", 30) in link.server_events


def test_service_changed_indication_names_the_range(link: Link) -> None:
    """GATT/CL/GAS/BV-01-C: confirm and report the range to rediscover."""
    link.client.service_changed_handle = 8
    events = link.to_client(bytes.fromhex("1d0800") + bytes.fromhex("0d002200"))
    assert ServiceChangedReceived(13, 34) in events


def test_multiple_handle_value_notification_is_split_per_handle(link: Link) -> None:
    pdu = pdus.MultipleHandleValueNtf(((30, b"a"), (16, b"bc"))).encode()
    assert link.to_client(pdu) == [NotificationReceived(30, b"a"), NotificationReceived(16, b"bc")]


def test_oversized_notification_is_dropped(link: Link) -> None:
    """C5: a notification longer than ATT_MTU-3 is ignored."""
    assert link.to_client(bytes.fromhex("1b1e00") + bytes(21)) == []


@pytest.mark.parametrize("handle, code", [(0x99, 0x01), (20, 0x02), (28, 0x08), (26, 0x05)])
def test_read_errors_reach_the_caller(link: Link, handle: int, code: int) -> None:
    """GATT/CL/GAR/BI-01-C..05-C: 0x01 / 0x02 / 0x08 / 0x05 reported to the upper layer."""
    proc = link.run(Read(handle))
    assert isinstance(proc.error, AttError)
    assert proc.error.code == code and proc.error.handle == handle


def test_key_size_error_reaches_the_caller(tdb: SampleDb) -> None:
    """GATT/CL/GAR/BI-05-C: 0x0C reported."""
    link = Link(tdb, SecurityState(encrypted=True, authenticated=True, key_size=7))
    proc = link.run(Read(26))
    assert isinstance(proc.error, AttError) and proc.error.code == 0x0C


def test_requests_are_queued_one_at_a_time() -> None:
    client = AttClient()
    first = client.submit(Read(1), 0.0)
    second = client.submit(Read(2), 0.0)
    assert client.data_to_send() == [bytes.fromhex("0a0100")]
    hear(client, b"\x0bA", 0.0)
    assert first.result == b"A"
    assert client.data_to_send() == [bytes.fromhex("0a0200")]
    hear(client, b"\x0bB", 0.0)
    assert second.result == b"B"


def test_read_timeout_after_30_seconds_kills_the_bearer() -> None:
    """GATT/CL/GAT/BV-01-C: fail after 30 s; send nothing more on that bearer."""
    client = AttClient()
    proc = client.submit(Read(3), now=0.0)
    queued = client.submit(Read(4), now=1.0)
    client.data_to_send()
    assert tick(client, 29.0) == []
    events = tick(client, 30.0)
    assert TransactionTimedOut(None, 0, Role.CLIENT) in events
    assert isinstance(proc.error, AttTimeoutError)
    assert isinstance(queued.error, BearerClosedError)
    assert hear(client, b"\x0bX", 31.0) == []
    with pytest.raises(BearerClosedError):
        client.submit(Read(5), 0.0)


def test_write_timeout_after_30_seconds() -> None:
    """GATT/CL/GAT/BV-02-C: a Write Request never answered fails at 30 s."""
    client = AttClient()
    proc = client.submit(Write(3, b"x"), now=10.0)
    tick(client, 40.0)
    assert isinstance(proc.error, AttTimeoutError)
    assert client.data_to_send() == []


def test_unsolicited_response_is_dropped() -> None:
    """C4: responses with no request outstanding are dropped."""
    client = AttClient()
    assert hear(client, b"\x0bX", 0.0) == []


def test_response_with_the_wrong_opcode_is_dropped() -> None:
    """C4: a response that does not answer the outstanding request is dropped."""
    client = AttClient()
    proc = client.submit(Read(3), 0.0)
    hear(client, b"\x13", 0.0)
    assert not proc.done
    hear(client, b"\x0bok", 0.0)
    assert proc.result == b"ok"


def test_short_error_response_fails_the_procedure_without_reading_past_it() -> None:
    """C6: an Error Response shorter than 5 octets is malformed."""
    client = AttClient()
    proc = client.submit(Read(3), 0.0)
    events = hear(client, b"\x01\x0a", 0.0)
    assert isinstance(proc.error, GattProtocolError)
    assert ProcedureFinished(proc) in events


def test_find_information_response_with_empty_body_ends_discovery() -> None:
    """C1: empty Find Information Response ends the procedure."""
    client = AttClient()
    proc = client.submit(DiscoverDescriptors(1, 10), 0.0)
    hear(client, b"\x05", 0.0)
    assert isinstance(proc.error, GattProtocolError)


def test_read_by_type_response_with_zero_entry_length_stops_discovery() -> None:
    """C2: entry length 0 rejects the response."""
    client = AttClient()
    proc = client.submit(DiscoverCharacteristics(1, 10), 0.0)
    hear(client, b"\x09\x00", 0.0)
    assert isinstance(proc.error, GattProtocolError)


def test_discovery_with_handles_going_backwards_terminates() -> None:
    """C3: handles that go backwards end discovery instead of looping."""
    client = AttClient()
    proc = client.submit(DiscoverPrimaryServices(), 0.0)
    client.data_to_send()
    hear(client, bytes.fromhex("1106 0500 0900 0018".replace(" ", "")), 0.0)
    assert client.data_to_send() == [bytes.fromhex("100a00ffff0028")]
    hear(client, bytes.fromhex("1106 0200 0300 0118".replace(" ", "")), 0.0)
    assert isinstance(proc.error, GattProtocolError)
    assert client.data_to_send() == []


def test_discovery_reaching_0xffff_stops() -> None:
    """C3: a group ending at 0xFFFF ends discovery without another request."""
    client = AttClient()
    proc = client.submit(DiscoverPrimaryServices(), 0.0)
    client.data_to_send()
    hear(client, bytes.fromhex("1106 0100 ffff 0018".replace(" ", "")), 0.0)
    assert proc.result == [ServiceInfo(1, 0xFFFF, UUID(0x1800))]
    assert client.data_to_send() == []


def test_error_for_another_request_is_dropped() -> None:
    client = AttClient()
    proc = client.submit(Read(3), 0.0)
    hear(client, bytes.fromhex("0112030001"), 0.0)
    assert not proc.done
