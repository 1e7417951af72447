"""Capture records in, a CaptureModel out: the sans-I/O model builder.

`ModelBuilder.feed(record)` takes records in capture order. ACL goes through the capture decoder
(`aioble_hci.capture.decoder.CaptureDecoder`: reassembly per handle, L2CAP framing); ATT on CID
0x0004 goes to one `AttTracker` per connection. HCI events give the advertisers (LE Advertising
Report, LE Extended Advertising Report: Vol 4 Part E 7.7.65.2, 7.7.65.13), each connection's
peer address and type (LE (Enhanced) Connection Complete, 7.7.65.1 / 7.7.65.10) and encryption
(Encryption Change, 7.7.8). `build_model(path)` reads a file with the capture readers' public API.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from aioble_hci.address import Address, AddressType
from aioble_hci.capture.decoder import CaptureDecoder
from aioble_hci.capture.files import read_all
from aioble_hci.capture.records import CaptureRecord
from aioble_hci.emulate.att_tracker import AttTracker
from aioble_hci.emulate.model import Advertiser, CaptureModel, DeviceModel, Session
from aioble_hci.hci import events as ev
from aioble_hci.hci.constants import OpCode, StatusCode
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.packets import Direction, PacketType
from aioble_hci.l2cap.pdus import FixedCid

log = logging.getLogger(__name__)

ROLE_CENTRAL = 0x00
# Legacy advertising report event types (Vol 4 Part E 7.7.65.2)
ADV_IND, ADV_DIRECT_IND, ADV_SCAN_IND, ADV_NONCONN_IND, SCAN_RSP = range(5)
# Extended report event type bits (7.7.65.13)
EXT_CONNECTABLE, EXT_SCANNABLE, EXT_SCAN_RESPONSE, EXT_LEGACY = 0x01, 0x02, 0x08, 0x10
DATA_INCOMPLETE_MORE = 1


@dataclass
class _Link:
    """One captured connection: its peer's model, its session, and its ATT tracker."""

    device: DeviceModel
    session: Session
    att: AttTracker
    local_role: int | None


class ModelBuilder:
    """Feed records, then `finish()`; never raises on a record it cannot understand."""

    def __init__(self) -> None:
        self._decoder = CaptureDecoder()
        self._links: dict[int, _Link] = {}
        self._devices: dict[str, DeviceModel] = {}
        self._advertisers: dict[Address, Advertiser] = {}
        self._fragments: dict[tuple[Address, int], bytes] = {}
        self._keys: set[int] = set()  # connection handles whose LTK the host gave the controller
        self._notes: list[str] = []
        self._failed: dict[str, int] = {}  # failed LE connection attempts by status name
        self._frames = 0

    def feed(self, record: CaptureRecord) -> None:
        self._frames += 1
        packet = self._decoder.decode(record)
        if not record.is_hci:
            return
        try:
            if record.packet_type == PacketType.EVENT:
                self._event(record)
            elif record.packet_type == PacketType.COMMAND:
                self._command(record.payload)
            elif record.packet_type == PacketType.ACL and packet.handle is not None:
                l2cap = packet.layer("l2cap")
                if l2cap is not None and l2cap.fields.get("cid") == FixedCid.ATT:
                    self._att(packet.handle, record, bytes.fromhex(l2cap.fields["payload"]))
        except Exception as exc:  # noqa: BLE001 - a damaged record never stops the model
            log.debug("frame %d not used for the model: %r", self._frames, exc)

    def finish(self) -> CaptureModel:
        model = CaptureModel(notes=list(self._notes))
        for status, count in self._failed.items():
            model.notes.append(f"{count} LE connection attempt(s) failed with status {status}")
        model.advertisers = dict(self._advertisers)
        for device in self._devices.values():
            if device.address is not None:
                device.advertiser = self._advertiser_of(device.address)
            model.devices.append(device)
        return model

    # -- HCI ----------------------------------------------------------------------------------------

    def _command(self, payload: bytes) -> None:
        if len(payload) < 5:
            return
        opcode = int.from_bytes(payload[:2], "little")
        if opcode in (OpCode.LE_ENABLE_ENCRYPTION, OpCode.LE_LONG_TERM_KEY_REQUEST_REPLY):
            self._keys.add(int.from_bytes(payload[3:5], "little") & 0x0FFF)

    def _event(self, record: CaptureRecord) -> None:
        try:
            event = ev.parse_event(record.payload)
        except HciDecodeError:
            return
        t = record.timestamp
        if isinstance(event, ev.LeAdvertisingReport):
            for r in event.reports:
                self._legacy_report(r, t)
        elif isinstance(event, ev.LeExtendedAdvertisingReport):
            for x in event.reports:
                self._extended_report(x, t)
        elif isinstance(event, (ev.LeConnectionComplete, ev.LeEnhancedConnectionComplete)):
            if event.status == StatusCode.SUCCESS:
                self._open(event.connection_handle, event.peer_address, event.role, t)
            else:
                self._failed[StatusCode(event.status).name] = self._failed.get(StatusCode(event.status).name, 0) + 1
        elif isinstance(event, ev.DisconnectionComplete):
            if event.status == StatusCode.SUCCESS:
                self._links.pop(event.connection_handle, None)
        elif isinstance(event, ev.EncryptionChange):
            link = self._links.get(event.connection_handle)
            if link is not None and event.status == StatusCode.SUCCESS and event.encryption_enabled:
                link.session.encrypted = True
                link.session.encryption_key_in_capture = event.connection_handle in self._keys

    def _open(self, handle: int, peer: Address, role: int, t: float | None) -> None:
        key = _address_key(peer)
        device = self._devices.get(key)
        if device is None:
            device = self._devices[key] = DeviceModel(peer)
        if role != ROLE_CENTRAL:
            note = (f"{peer}: the capturing host was the peripheral on connection 0x{handle:04x}; "
                    "only the GATT server the remote itself exposed is reconstructed")
            self._add_note(device, note)
        self._attach(handle, device, t, role)

    def _attach(self, handle: int, device: DeviceModel, t: float | None, role: int | None) -> _Link:
        session = Session(handle, t)
        device.sessions.append(session)
        link = _Link(device, session, AttTracker(device, session), role)
        self._links[handle] = link
        return link

    def _att(self, handle: int, record: CaptureRecord, pdu: bytes) -> None:
        link = self._links.get(handle)
        if link is None:  # the connection was set up before the capture started
            key = f"handle 0x{handle:04x}"
            device = self._devices.get(key)
            if device is None:
                device = self._devices[key] = DeviceModel(None)
                self._add_note(device, f"connection 0x{handle:04x} was set up before the capture began: "
                                       "the device's address and address type are not in the capture")
            link = self._attach(handle, device, record.timestamp, None)
        if record.direction == Direction.CONTROLLER_TO_HOST:
            link.att.from_peer(pdu, record.timestamp)
        else:
            link.att.from_host(pdu, record.timestamp)

    # -- advertising --------------------------------------------------------------------------------

    def _legacy_report(self, r: ev.AdvertisingReport, t: float | None) -> None:
        adv = self._advertiser(r.address, t, r.rssi)
        if r.event_type == SCAN_RSP:
            adv.scan_response = bytes(r.data)
            return
        adv.adv_data = bytes(r.data)
        adv.connectable = adv.connectable or r.event_type in (ADV_IND, ADV_DIRECT_IND)
        adv.scannable = adv.scannable or r.event_type in (ADV_IND, ADV_SCAN_IND)
        if t is not None:
            adv.times.append(t)

    def _extended_report(self, x: ev.ExtendedAdvertisingReport, t: float | None) -> None:
        if x.address_type == 0xFF:  # anonymous advertising: no address to emulate
            return
        key = (x.address, x.advertising_sid)
        data = self._fragments.pop(key, b"") + bytes(x.data)
        if x.data_status == DATA_INCOMPLETE_MORE:
            self._fragments[key] = data
            return
        adv = self._advertiser(x.address, t, x.rssi)
        if x.event_type & EXT_SCAN_RESPONSE:
            adv.scan_response = data
            return
        adv.adv_data = data
        adv.connectable = adv.connectable or bool(x.event_type & EXT_CONNECTABLE)
        adv.scannable = adv.scannable or bool(x.event_type & EXT_SCANNABLE)
        adv.extended = adv.extended or not x.event_type & EXT_LEGACY
        if t is not None:
            adv.times.append(t)

    def _advertiser(self, address: Address, t: float | None, rssi: int) -> Advertiser:
        adv = self._advertisers.get(address)
        if adv is None:
            adv = self._advertisers[address] = Advertiser(address, first_seen=t)
        adv.reports += 1
        adv.last_seen = t if t is not None else adv.last_seen
        adv.rssi = rssi if rssi != 127 else adv.rssi  # 127: RSSI not available
        return adv

    def _advertiser_of(self, address: Address) -> Advertiser | None:
        key = _address_key(address)
        return next((a for a in self._advertisers.values() if _address_key(a.address) == key), None)

    def _add_note(self, device: DeviceModel, note: str) -> None:
        if note not in device.notes:
            device.notes.append(note)


def _address_key(address: Address) -> str:
    """Public and public-identity (and random and random-identity) name the same device."""
    kind = "public" if address.type in (AddressType.PUBLIC, AddressType.PUBLIC_IDENTITY) else "random"
    return f"{address}/{kind}"


def build_model(path: str | os.PathLike[str]) -> CaptureModel:
    """Read a capture (any format the readers know) and build its model; a damaged tail is noted."""
    records, error = read_all(path)
    builder = ModelBuilder()
    for record in records:
        builder.feed(record)
    model = builder.finish()
    if error is not None:
        model.notes.append(f"the capture is damaged after record {len(records)}: {error}")
    return model
