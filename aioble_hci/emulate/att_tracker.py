"""Follow one connection's ATT traffic and put what the remote server showed into a DeviceModel.

The capturing host is the client: its requests are paired with the remote's responses (one
outstanding request per direction, Vol 3 Part F 3.3.2). Discovery responses give the layout
(Vol 3 Part G 4.4-4.7), Read/Read Blob responses the values (4.8), Write responses and Error
Responses the answers to writes (4.9), and notifications/indications (4.10, 4.11) are attached
to the client action that preceded them. Requests the remote sends (it acting as a client of the
capturing host) are not about the remote's database and are ignored.
"""

from __future__ import annotations

import logging
from typing import Any

from aioble_hci.att import pdus
from aioble_hci.att.pdus import Opcode
from aioble_hci.emulate.model import (
    Action,
    CharacteristicModel,
    DescriptorModel,
    DeviceModel,
    Notification,
    ReadOutcome,
    ServiceModel,
    Session,
)
from aioble_hci.uuid import UUID

log = logging.getLogger(__name__)

PRIMARY_SERVICE = UUID(0x2800)
SECONDARY_SERVICE = UUID(0x2801)
INCLUDE = UUID(0x2802)
CHARACTERISTIC = UUID(0x2803)


class AttTracker:
    """The ATT state of one captured connection between the capturing host and the remote."""

    def __init__(self, model: DeviceModel, session: Session) -> None:
        self.model = model
        self.session = session
        self._request: Any = None  # the host's outstanding request to the remote server
        self._prepared: list[pdus.PrepareWriteReq] = []
        self._last_action: Action = Action("connect", time=session.opened)
        session.actions.append(self._last_action)

    # -- from the capturing host (client) ---------------------------------------------------------

    def from_host(self, pdu: bytes, time: float | None) -> None:
        decoded = _decode(pdu)
        if decoded is None:
            return
        op = pdu[0]
        if op == Opcode.WRITE_CMD or op == Opcode.SIGNED_WRITE_CMD:
            self._action("write", decoded.attribute_handle, decoded.attribute_value, False, None, time)
            return
        if op == Opcode.PREPARE_WRITE_REQ:
            self._prepared.append(decoded)
        if op in _REQUESTS:
            self._request = decoded

    # -- from the remote (server) -------------------------------------------------------------------

    def from_peer(self, pdu: bytes, time: float | None) -> None:
        decoded = _decode(pdu)
        if decoded is None:
            return
        if isinstance(decoded, (pdus.HandleValueNtf, pdus.HandleValueInd)):
            self._notified(decoded.attribute_handle, decoded.attribute_value,
                           isinstance(decoded, pdus.HandleValueInd), time)
            return
        if isinstance(decoded, pdus.MultipleHandleValueNtf):
            for handle, value in decoded.handle_length_value_tuples:
                self._notified(handle, value, False, time)
            return
        if pdu[0] not in _RESPONSES:
            return  # the remote acting as a client of the capturing host
        request, self._request = self._request, None
        if request is None:
            return
        if isinstance(decoded, pdus.ErrorRsp):
            self._error(request, decoded, time)
        else:
            self._response(request, decoded, time)

    # -- what responses mean ------------------------------------------------------------------------

    def _response(self, request: Any, rsp: Any, time: float | None) -> None:
        m = self.model
        if isinstance(rsp, pdus.ExchangeMtuRsp):
            m.server_mtu = rsp.server_rx_mtu
        elif isinstance(rsp, pdus.ReadByGroupTypeRsp) and isinstance(request, pdus.ReadByGroupTypeReq):
            primary = request.attribute_group_type == PRIMARY_SERVICE
            for handle, end, value in rsp.attribute_data:
                self._service(handle, end, UUID.from_le_bytes(value), primary)
        elif isinstance(rsp, pdus.FindByTypeValueRsp) and isinstance(request, pdus.FindByTypeValueReq):
            if request.attribute_type == PRIMARY_SERVICE:
                for handle, end in rsp.handles_information:
                    self._service(handle, end, UUID.from_le_bytes(request.attribute_value), True)
        elif isinstance(rsp, pdus.ReadByTypeRsp) and isinstance(request, pdus.ReadByTypeReq):
            self._read_by_type(request, rsp, time)
        elif isinstance(rsp, pdus.FindInformationRsp):
            for handle, uuid in rsp.information:
                self._typed(handle, uuid)
        elif isinstance(rsp, pdus.ReadRsp) and isinstance(request, pdus.ReadReq):
            self._read(request.attribute_handle, ReadOutcome(rsp.attribute_value, None, time))
        elif isinstance(rsp, pdus.ReadBlobRsp) and isinstance(request, pdus.ReadBlobReq):
            self._blob(request, rsp.part_attribute_value)
        elif isinstance(rsp, pdus.WriteRsp) and isinstance(request, pdus.WriteReq):
            self._action("write", request.attribute_handle, request.attribute_value, True, None, time)
        elif isinstance(rsp, pdus.ExecuteWriteRsp) and isinstance(request, pdus.ExecuteWriteReq):
            self._executed(request, None, time)
        elif isinstance(rsp, (pdus.ReadMultipleRsp, pdus.ReadMultipleVariableRsp)):
            self._note("a Read Multiple response cannot be split into values per handle: not used")

    def _error(self, request: Any, err: pdus.ErrorRsp, time: float | None) -> None:
        code = int(err.error_code)
        if isinstance(request, pdus.ReadReq):
            self._read(request.attribute_handle, ReadOutcome(b"", code, time))
        elif isinstance(request, pdus.WriteReq):
            self._action("write", request.attribute_handle, request.attribute_value, True, code, time)
        elif isinstance(request, pdus.ExecuteWriteReq):
            self._executed(request, code, time)
        elif isinstance(request, pdus.ReadByTypeReq) and request.attribute_type == CHARACTERISTIC:
            self._searched(request.starting_handle, request.ending_handle, "characteristics")
        elif isinstance(request, pdus.FindInformationReq):
            self._searched(request.starting_handle, request.ending_handle, "descriptors")

    def _service(self, handle: int, end: int, uuid: UUID, primary: bool) -> None:
        m = self.model
        if any(s.handle == handle for s in m.services):
            return
        m.services.append(ServiceModel(handle, end, uuid, primary))
        m.services.sort(key=lambda s: s.handle)
        m.attribute_types[handle] = PRIMARY_SERVICE if primary else SECONDARY_SERVICE

    def _read_by_type(self, req: pdus.ReadByTypeReq, rsp: pdus.ReadByTypeRsp, time: float | None) -> None:
        m = self.model
        for handle, value in rsp.attribute_data:
            if req.attribute_type == CHARACTERISTIC and len(value) >= 5:
                uuid = UUID.from_le_bytes(value[3:])
                value_handle = int.from_bytes(value[1:3], "little")
                service = self._service_of(handle)
                if service is None:
                    continue
                service.characteristics_discovered = True
                if any(c.declaration_handle == handle for c in service.characteristics):
                    continue
                service.characteristics.append(CharacteristicModel(handle, value[0], value_handle, uuid))
                service.characteristics.sort(key=lambda c: c.declaration_handle)
                m.attribute_types[handle] = CHARACTERISTIC
                m.attribute_types[value_handle] = uuid
            elif req.attribute_type == INCLUDE and len(value) >= 4:
                service = self._service_of(handle)
                if service is not None:
                    start, end = int.from_bytes(value[0:2], "little"), int.from_bytes(value[2:4], "little")
                    included = UUID.from_le_bytes(value[4:6]) if len(value) >= 6 else None
                    service.includes.append((handle, start, end, included))
                    m.attribute_types[handle] = INCLUDE
            else:  # Read Using Characteristic UUID (Vol 3 Part G 4.8.2): a value read
                m.attribute_types.setdefault(handle, req.attribute_type)
                self._read(handle, ReadOutcome(value, None, time))

    def _typed(self, handle: int, uuid: UUID) -> None:
        """A Find Information result: a descriptor when it falls inside a known characteristic."""
        m = self.model
        m.attribute_types.setdefault(handle, uuid)
        service = self._service_of(handle)
        if service is None:
            return
        service.descriptors_discovered = True
        owner = None
        for ch in service.characteristics:
            if ch.declaration_handle < handle:
                owner = ch
        if owner is None or handle in (owner.declaration_handle, owner.value_handle):
            return
        if not any(d.handle == handle for d in owner.descriptors):
            owner.descriptors.append(DescriptorModel(handle, uuid))
            owner.descriptors.sort(key=lambda d: d.handle)

    def _searched(self, start: int, end: int, what: str) -> None:
        service = self._service_of(start)
        if service is not None:
            if what == "characteristics":
                service.characteristics_discovered = True
            else:
                service.descriptors_discovered = True

    def _service_of(self, handle: int) -> ServiceModel | None:
        return next((s for s in self.model.services if s.handle <= handle <= s.end_handle), None)

    def _read(self, handle: int, outcome: ReadOutcome) -> None:
        self.model.handles_used.add(handle)
        self.model.reads.setdefault(handle, []).append(outcome)

    def _blob(self, req: pdus.ReadBlobReq, part: bytes) -> None:
        """A long read's next part (Vol 3 Part G 4.8.3): appended when it continues the last read."""
        reads = self.model.reads.get(req.attribute_handle)
        if reads and reads[-1].error is None and len(reads[-1].value) == req.value_offset:
            last = reads[-1]
            reads[-1] = ReadOutcome(last.value + part, None, last.time)
        else:
            self._read(req.attribute_handle, ReadOutcome(part, None, None))

    def _executed(self, req: pdus.ExecuteWriteReq, error: int | None, time: float | None) -> None:
        """An executed long write (Vol 3 Part G 4.9.4): the prepared parts joined, per handle."""
        prepared, self._prepared = self._prepared, []
        if req.flags != pdus.ExecuteWriteFlags.IMMEDIATELY_WRITE_ALL_PENDING_PREPARED_VALUES:
            return
        by_handle: dict[int, bytes] = {}
        for part in prepared:
            by_handle[part.attribute_handle] = by_handle.get(part.attribute_handle, b"") + part.part_attribute_value
        for handle, value in by_handle.items():
            self._action("write", handle, value, True, error, time)

    def _action(self, kind: str, handle: int, value: bytes, with_response: bool, error: int | None,
                time: float | None) -> None:
        self.model.handles_used.add(handle)
        action = Action(kind, handle, bytes(value), with_response, error, time)
        self.session.actions.append(action)
        self._last_action = action

    def _notified(self, handle: int, value: bytes, indication: bool, time: float | None) -> None:
        self.model.handles_used.add(handle)
        start = self._last_action.time
        delay = max(0.0, time - start) if time is not None and start is not None else 0.0
        self._last_action.notifications.append(Notification(handle, bytes(value), delay, indication))

    def _note(self, text: str) -> None:
        if text not in self.model.notes:
            self.model.notes.append(text)


_REQUESTS = frozenset(op for op in Opcode if op.name.endswith("_REQ"))
_RESPONSES = frozenset(op for op in Opcode if op.name.endswith("_RSP"))


def _decode(pdu: bytes) -> Any:
    if not pdu:
        return None
    try:
        return pdus.decode(pdu)
    except pdus.AttDecodeError as exc:
        log.debug("undecodable ATT PDU %s: %s", pdu.hex(), exc)
        return None
