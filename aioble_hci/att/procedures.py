"""GATT client procedures as explicit state machines over ATT requests (Vol 3 Part G 4).

Each procedure yields its first request from `start(mtu)` and its next one from `on_response()` or
`on_error()`, returning None when it has finished (then `result` or `error` is set). The `AttClient`
runs one at a time per bearer. Malformed or looping responses end a procedure with
`GattProtocolError` (conformance C1-C3) instead of running forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aioble_hci.att import pdus
from aioble_hci.att.errors import AttError
from aioble_hci.att.gatt import CHARACTERISTIC, INCLUDE, PRIMARY_SERVICE
from aioble_hci.att.pdus import ATT_DEFAULT_MTU, AttPdu, ErrorCode
from aioble_hci.errors import RemoteProtocolError
from aioble_hci.uuid import UUID


def _u16(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + 2], "little")


class GattProtocolError(RemoteProtocolError, ValueError):
    """The server answered with something the procedure cannot use (malformed, looping)."""


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A discovered service: its handle range and UUID."""

    start_handle: int
    end_handle: int
    uuid: UUID


@dataclass(frozen=True, slots=True)
class IncludedServiceInfo:
    """A discovered include declaration (Vol 3 Part G 4.5.1)."""

    handle: int
    start_handle: int
    end_handle: int
    uuid: UUID


@dataclass(frozen=True, slots=True)
class CharacteristicInfo:
    """A discovered characteristic; `end_handle` is the last handle of its definition."""

    declaration_handle: int
    value_handle: int
    properties: int
    uuid: UUID
    end_handle: int


@dataclass(frozen=True, slots=True)
class DescriptorInfo:
    """A discovered descriptor (any attribute found by Find Information)."""

    handle: int
    uuid: UUID


class Procedure:
    """Base of the GATT client procedures."""

    def __init__(self) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False

    def start(self, mtu: int) -> AttPdu | None:
        raise NotImplementedError

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        raise NotImplementedError

    def on_error(self, err: pdus.ErrorRsp, mtu: int) -> AttPdu | None:
        """Default: the procedure fails with the ATT error (Vol 3 Part G 4.x error clauses)."""
        return self.fail(AttError(err.error_code, err.attribute_handle))

    def finish(self, result: Any) -> AttPdu | None:
        """Finish with `result`; returns None so handlers can `return self.finish(...)`."""
        self.result = result
        self.done = True
        return None

    def fail(self, error: BaseException) -> AttPdu | None:
        """Fail with `error`; returns None like `finish`."""
        self.error = error
        self.done = True
        return None

    def __repr__(self) -> str:
        state = "failed" if self.error else "done" if self.done else "running"
        return f"<{type(self).__name__} {state}>"


class ExchangeMtu(Procedure):
    """Exchange MTU (Vol 3 Part G 4.3.1); `result` is the new ATT_MTU."""

    def __init__(self, client_rx_mtu: int) -> None:
        super().__init__()
        self.client_rx_mtu = client_rx_mtu

    def start(self, mtu: int) -> AttPdu | None:
        return pdus.ExchangeMtuReq(self.client_rx_mtu)

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        assert isinstance(rsp, pdus.ExchangeMtuRsp)
        return self.finish(max(ATT_DEFAULT_MTU, min(self.client_rx_mtu, rsp.server_rx_mtu)))


class _Cursor(Procedure):
    """Shared loop over a handle range that ends on Attribute Not Found (Vol 3 Part G 4.4-4.7)."""

    def __init__(self, start: int = 0x0001, end: int = 0xFFFF) -> None:
        super().__init__()
        self.cursor = start
        self.end = end
        self.found: list[Any] = []

    def advance(self, last_handle: int) -> bool:
        """Move past `last_handle`; False when the range is exhausted or the server looped (C3)."""
        if last_handle < self.cursor:
            raise GattProtocolError(f"handle 0x{last_handle:04X} goes backwards")
        if last_handle >= self.end:
            return False
        self.cursor = last_handle + 1
        return True

    def on_error(self, err: pdus.ErrorRsp, mtu: int) -> AttPdu | None:
        if err.error_code == ErrorCode.ATTRIBUTE_NOT_FOUND:
            return self.complete()
        return super().on_error(err, mtu)

    def complete(self) -> AttPdu | None:
        return self.finish(self.found)


class DiscoverPrimaryServices(_Cursor):
    """Discover All Primary Services (4.4.1) or by Service UUID (4.4.2); result list[ServiceInfo]."""

    def __init__(self, uuid: UUID | None = None) -> None:
        super().__init__()
        self.uuid = uuid

    def request(self) -> AttPdu:
        if self.uuid is None:
            return pdus.ReadByGroupTypeReq(self.cursor, 0xFFFF, PRIMARY_SERVICE)
        return pdus.FindByTypeValueReq(
            self.cursor, 0xFFFF, PRIMARY_SERVICE, pdus.uuid_att_bytes(self.uuid)
        )

    def start(self, mtu: int) -> AttPdu | None:
        return self.request()

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        if isinstance(rsp, pdus.ReadByGroupTypeRsp):
            last = self.cursor - 1
            for handle, end, value in rsp.attribute_data:
                if len(value) not in (2, 16) or end < handle or handle <= last:
                    raise GattProtocolError(f"bad service entry at 0x{handle:04X}")
                self.found.append(ServiceInfo(handle, end, UUID(value)))
                last = end
        else:
            assert isinstance(rsp, pdus.FindByTypeValueRsp) and self.uuid is not None
            last = self.cursor - 1
            for handle, end in rsp.handles_information:
                if end < handle or handle <= last:
                    raise GattProtocolError(f"bad service range at 0x{handle:04X}")
                self.found.append(ServiceInfo(handle, end, self.uuid))
                last = end
        return self.request() if self.advance(last) else self.complete()


class FindIncludedServices(_Cursor):
    """Find Included Services (4.5.1): Read By Type 0x2802, reading 128-bit UUIDs separately."""

    def __init__(self, start: int, end: int) -> None:
        super().__init__(start, end)
        self._pending: list[tuple[int, int, int]] = []

    def start(self, mtu: int) -> AttPdu | None:
        return pdus.ReadByTypeReq(self.cursor, self.end, INCLUDE)

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        if isinstance(rsp, pdus.ReadRsp):
            handle, start, end = self._pending.pop(0)
            if len(rsp.attribute_value) != 16:
                raise GattProtocolError("included service UUID is not 128-bit")
            self.found.append(IncludedServiceInfo(handle, start, end, UUID(rsp.attribute_value)))
        else:
            assert isinstance(rsp, pdus.ReadByTypeRsp)
            last = self.cursor - 1
            for handle, value in rsp.attribute_data:
                if len(value) not in (4, 6) or handle <= last:
                    raise GattProtocolError(f"bad include declaration at 0x{handle:04X}")
                start, end = _u16(value, 0), _u16(value, 2)
                if len(value) == 6:
                    self.found.append(IncludedServiceInfo(handle, start, end, UUID(value[4:])))
                else:
                    self._pending.append((handle, start, end))
                last = handle
            if not self.advance(last):
                self.end = -1  # finished scanning; only UUID reads remain
        if self._pending:
            return pdus.ReadReq(self._pending[0][1])
        if self.end < 0:
            return self.complete()
        return pdus.ReadByTypeReq(self.cursor, self.end, INCLUDE)


class DiscoverCharacteristics(_Cursor):
    """Discover All Characteristics of a Service (4.6.1) or by UUID (4.6.2)."""

    def __init__(self, start: int, end: int, uuid: UUID | None = None) -> None:
        super().__init__(start, end)
        self.uuid = uuid

    def start(self, mtu: int) -> AttPdu | None:
        if self.cursor > self.end:
            return self.complete()
        return pdus.ReadByTypeReq(self.cursor, self.end, CHARACTERISTIC)

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        assert isinstance(rsp, pdus.ReadByTypeRsp)
        last = self.cursor - 1
        for handle, value in rsp.attribute_data:
            if len(value) not in (5, 19) or handle <= last:
                raise GattProtocolError(f"bad characteristic declaration at 0x{handle:04X}")
            self.found.append((handle, value[0], _u16(value, 1), UUID(value[3:])))
            last = handle
        if self.advance(last):
            return pdus.ReadByTypeReq(self.cursor, self.end, CHARACTERISTIC)
        return self.complete()

    def complete(self) -> AttPdu | None:
        """End handles come from the next declaration over all characteristics (aioble 9.2)."""
        out = []
        for i, (decl, props, value_handle, uuid) in enumerate(self.found):
            end = self.found[i + 1][0] - 1 if i + 1 < len(self.found) else self.end
            if self.uuid is None or uuid == self.uuid:
                out.append(CharacteristicInfo(decl, value_handle, props, uuid, end))
        return self.finish(out)


class DiscoverDescriptors(_Cursor):
    """Discover All Characteristic Descriptors (4.7.1): Find Information over the range."""

    def start(self, mtu: int) -> AttPdu | None:
        if self.cursor > self.end or self.cursor == 0:
            return self.complete()
        return pdus.FindInformationReq(self.cursor, self.end)

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        assert isinstance(rsp, pdus.FindInformationRsp)
        last = self.cursor - 1
        for handle, uuid in rsp.information:
            if handle <= last:
                raise GattProtocolError(f"descriptor handle 0x{handle:04X} goes backwards")
            if handle <= self.end:
                self.found.append(DescriptorInfo(handle, uuid))
            last = handle
        if self.advance(last):
            return pdus.FindInformationReq(self.cursor, self.end)
        return self.complete()


class Read(Procedure):
    """Read Characteristic Value (4.8.1), or Read Long Characteristic Values (4.8.3) with `long`."""

    def __init__(self, handle: int, long: bool = False) -> None:
        super().__init__()
        self.handle = handle
        self.long = long
        self.value = b""

    def start(self, mtu: int) -> AttPdu | None:
        return pdus.ReadReq(self.handle)

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        if isinstance(rsp, pdus.ReadRsp):
            part = rsp.attribute_value
        else:
            assert isinstance(rsp, pdus.ReadBlobRsp)
            part = rsp.part_attribute_value
        self.value += part
        if self.long and len(part) == mtu - 1 and len(self.value) < pdus.ATT_MAX_VALUE_LEN:
            return pdus.ReadBlobReq(self.handle, len(self.value))
        return self.finish(self.value)

    def on_error(self, err: pdus.ErrorRsp, mtu: int) -> AttPdu | None:
        if err.request_opcode == pdus.Opcode.READ_BLOB_REQ and err.error_code in (
            ErrorCode.ATTRIBUTE_NOT_LONG,
            ErrorCode.INVALID_OFFSET,
        ):
            return self.finish(self.value)  # the value ended exactly on a chunk boundary
        return super().on_error(err, mtu)


class ReadByUuid(Procedure):
    """Read Using Characteristic UUID (4.8.2): result list of (handle, value)."""

    def __init__(self, uuid: UUID, start: int = 0x0001, end: int = 0xFFFF) -> None:
        super().__init__()
        self.uuid, self.start_handle, self.end_handle = uuid, start, end

    def start(self, mtu: int) -> AttPdu | None:
        return pdus.ReadByTypeReq(self.start_handle, self.end_handle, self.uuid)

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        assert isinstance(rsp, pdus.ReadByTypeRsp)
        return self.finish(list(rsp.attribute_data))


class ReadMultiple(Procedure):
    """Read Multiple Characteristic Values (4.8.4), or the variable-length form (4.8.5).

    Result: the concatenated bytes, or a list of values for `variable`.
    """

    def __init__(self, handles: list[int], variable: bool = False) -> None:
        super().__init__()
        self.handles = tuple(handles)
        self.variable = variable

    def start(self, mtu: int) -> AttPdu | None:
        if len(self.handles) < 2:
            return self.fail(ValueError("Read Multiple needs two or more handles"))
        if self.variable:
            return pdus.ReadMultipleVariableReq(self.handles)
        return pdus.ReadMultipleReq(self.handles)

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        if isinstance(rsp, pdus.ReadMultipleVariableRsp):
            return self.finish([v for _, v in rsp.length_value_tuples])
        assert isinstance(rsp, pdus.ReadMultipleRsp)
        return self.finish(rsp.set_of_values)


class Write(Procedure):
    """Write Characteristic Value (4.9.3) or a descriptor (4.12.3); value at most ATT_MTU-3."""

    def __init__(self, handle: int, value: bytes) -> None:
        super().__init__()
        self.handle = handle
        self.value = bytes(value)

    def start(self, mtu: int) -> AttPdu | None:
        if len(self.value) > mtu - 3:
            return self.fail(ValueError(f"value of {len(self.value)} octets exceeds ATT_MTU-3"))
        return pdus.WriteReq(self.handle, self.value)

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        return self.finish(None)


def subscribe(cccd_handle: int, notify: bool = True, indicate: bool = False) -> Write:
    """Write the CCCD (Vol 3 Part G 4.12.3): notify=indicate=False unsubscribes."""
    return Write(cccd_handle, (int(notify) | (int(indicate) << 1)).to_bytes(2, "little"))


class PreparedWrite(Procedure):
    """Write Long Characteristic Values (4.9.4) and Reliable Writes (4.9.5).

    Each (handle, offset, value) is cut into Prepare Write Requests of ATT_MTU-5 octets. With
    `reliable` every echoed Prepare Write Response is compared with what was sent; a mismatch or an
    error cancels the queue (Execute Write flags 0x00) and fails the procedure.
    """

    def __init__(self, writes: list[tuple[int, int, bytes]], reliable: bool = False) -> None:
        super().__init__()
        self.writes = writes
        self.reliable = reliable
        self._queue: list[pdus.PrepareWriteReq] = []
        self._sent: pdus.PrepareWriteReq | None = None
        self._cancel_error: BaseException | None = None

    def start(self, mtu: int) -> AttPdu | None:
        chunk = mtu - 5
        for handle, offset, value in self.writes:
            for i in range(0, max(len(value), 1), chunk):
                self._queue.append(pdus.PrepareWriteReq(handle, offset + i, value[i : i + chunk]))
        return self._next()

    def _next(self) -> AttPdu:
        if self._queue:
            self._sent = self._queue.pop(0)
            return self._sent
        self._sent = None
        return pdus.ExecuteWriteReq(0x01)

    def _cancel(self, error: BaseException) -> AttPdu:
        self._cancel_error = error
        self._queue.clear()
        self._sent = None
        return pdus.ExecuteWriteReq(0x00)

    def on_response(self, rsp: AttPdu, mtu: int) -> AttPdu | None:
        if isinstance(rsp, pdus.ExecuteWriteRsp):
            if self._cancel_error is not None:
                return self.fail(self._cancel_error)
            return self.finish(None)
        assert isinstance(rsp, pdus.PrepareWriteRsp) and self._sent is not None
        if self.reliable and (
            rsp.attribute_handle != self._sent.attribute_handle
            or rsp.value_offset != self._sent.value_offset
            or rsp.part_attribute_value != self._sent.part_attribute_value
        ):
            return self._cancel(GattProtocolError("Prepare Write Response differs from request"))
        return self._next()

    def on_error(self, err: pdus.ErrorRsp, mtu: int) -> AttPdu | None:
        error = AttError(err.error_code, err.attribute_handle)
        if err.request_opcode == pdus.Opcode.PREPARE_WRITE_REQ:
            return self._cancel(error)
        if self._cancel_error is not None:
            return self.fail(self._cancel_error)
        return self.fail(error)


def write_long(handle: int, value: bytes, offset: int = 0) -> PreparedWrite:
    """Write Long Characteristic Values (Vol 3 Part G 4.9.4)."""
    return PreparedWrite([(handle, offset, bytes(value))])


def reliable_write(writes: list[tuple[int, bytes]]) -> PreparedWrite:
    """Reliable Writes of several values at once (Vol 3 Part G 4.9.5)."""
    return PreparedWrite([(h, 0, bytes(v)) for h, v in writes], reliable=True)
