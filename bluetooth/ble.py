"""MicroPython's low-level ``bluetooth.BLE`` on aioble-hci (MicroPython docs/library/bluetooth.rst).

``BLE()`` is one object per runtime (the process's default one unless a test
injects ``_runtime``). Every method may be called from the application's thread
(it is marshalled to the host thread, which it waits for) or from an IRQ handler,
which runs on the host thread: there the call runs at once and anything that
needs an HCI round trip is started, not awaited (see aioble_hci.facade.runtime).
Arguments are checked in the calling thread, so errors are raised to the caller.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, ClassVar

from aioble_hci.facade.defaults import (
    DEFAULT_CONNECT_SCAN_MS,
    DEFAULT_SCAN_INTERVAL_US,
    DEFAULT_SCAN_WINDOW_US,
)
from bluetooth._uuid import UUID

if TYPE_CHECKING:
    from aioble_hci.facade.gap_ll import Gap
    from aioble_hci.facade.gattc_ll import GattClient
    from aioble_hci.facade.gatts_ll import GattServer
    from aioble_hci.facade.l2cap_ll import L2cap
    from aioble_hci.facade.runtime import Runtime
    from aioble_hci.facade.smp_ll import Pairing
    from aioble_hci.facade.stack import LowLevelStack
    from aioble_hci.uuid import UUID as CoreUUID

_BUILT = frozenset({"_runtime", "_stack", "_gap", "_gatts", "_gattc", "_l2cap", "_pairing"})
_SETTABLE = ("gap_name", "mtu", "rxbuf", "addr_mode", "bond", "mitm", "le_secure", "io")


def _buffer(value: Any) -> bytes:
    """The octets of a buffer-protocol object; a str counts as its UTF-8 octets (as in MicroPython)."""
    if isinstance(value, str):
        return value.encode()
    try:
        return bytes(memoryview(value))
    except TypeError:
        raise TypeError("object with buffer protocol required") from None


def _core_uuid(value: Any) -> CoreUUID:
    return (value if isinstance(value, UUID) else UUID(value)).to_core()


def _check_definition(definition: Any) -> None:
    """MicroPython's checks of a gatts_register_services definition, with its messages."""
    for service in definition:
        if len(service) != 2:
            raise ValueError(f"requested length 2 but object has length {len(service)}")
        if not isinstance(service[0], UUID):
            raise ValueError("invalid service UUID")
        for characteristic in service[1]:
            if not 2 <= len(characteristic) <= 3:
                raise ValueError("invalid characteristic tuple")
            if not isinstance(characteristic[0], UUID):
                raise ValueError("invalid characteristic UUID")
            _int(characteristic[1])
            for descriptor in characteristic[2] if len(characteristic) == 3 else ():
                if len(descriptor) != 2:
                    raise ValueError(f"requested length 2 but object has length {len(descriptor)}")
                if not isinstance(descriptor[0], UUID):
                    raise ValueError("invalid descriptor UUID")
                _int(descriptor[1])


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    raise TypeError(f"can't convert {type(value).__name__} to int")


class BLE:
    """The Bluetooth Low Energy radio, with MicroPython's method names, arguments and IRQ codes."""

    _instances: ClassVar[dict[int, BLE]] = {}
    _default: ClassVar[BLE | None] = None

    def __new__(cls, _runtime: Runtime | None = None) -> BLE:
        if _runtime is None:
            # The process's radio: aioble makes it at import, so the stack behind it loads only
            # when it is first used (`_build`), keeping `import aioble` cheap.
            if cls._default is None:
                cls._default = super().__new__(cls)
            return cls._default
        existing = cls._instances.get(id(_runtime))
        if existing is not None and existing._runtime is _runtime:
            return existing
        self = super().__new__(cls)
        self._runtime = _runtime
        self._build()
        return self

    def __getattr__(self, name: str) -> Any:
        """First use of the process's radio: make its runtime and stack now."""
        if name in _BUILT and name not in self.__dict__:
            self._build()
            return self.__dict__[name]
        raise AttributeError(f"'BLE' object has no attribute {name!r}")

    def _build(self) -> None:
        from aioble_hci.facade.gap_ll import Gap
        from aioble_hci.facade.gattc_ll import GattClient
        from aioble_hci.facade.gatts_ll import GattServer
        from aioble_hci.facade.host_att import HostAtt
        from aioble_hci.facade.l2cap_ll import L2cap
        from aioble_hci.facade.runtime import default_runtime
        from aioble_hci.facade.smp_ll import Pairing
        from aioble_hci.facade.stack import LowLevelStack

        if "_runtime" not in self.__dict__:
            self._runtime = default_runtime()
        existing = type(self)._instances.get(id(self._runtime))
        if existing is not None and existing is not self:
            raise RuntimeError("a BLE object already serves this runtime")
        self._stack = LowLevelStack(self._runtime)
        self._stack.handler = self.__dict__.pop("_early_handler", None)
        self._gap = Gap(self._stack)
        att = HostAtt(self._stack)
        self._gatts = GattServer(self._stack, att)
        self._gattc = GattClient(self._stack, att)
        self._l2cap = L2cap(self._stack)
        self._pairing = Pairing(self._stack)
        type(self)._instances[id(self._runtime)] = self

    def __init__(self, _runtime: Runtime | None = None) -> None:
        pass  # all state is made once, in __new__

    _runtime: Runtime
    _stack: LowLevelStack
    _gap: Gap
    _gatts: GattServer
    _gattc: GattClient
    _l2cap: L2cap
    _pairing: Pairing

    def _call(self, fn: Any, *args: Any) -> Any:
        if not self._stack.active:
            raise OSError(errno.ENODEV, "BLE is not active")
        return self._runtime.invoke(fn, *args)

    # --- power and configuration ---------------------------------------------------

    def active(self, active: Any = None) -> bool:
        """Query, or turn the radio on (blocks until the host is initialised) or off."""
        if active is not None:
            if active:
                if not self._runtime.in_host_thread():
                    self._runtime.open()
                self._runtime.invoke(self._stack.activate)
            elif self._runtime.opened:
                self._runtime.invoke(self._stack.deactivate)
        return self._stack.active

    def config(self, *args: Any, **kwargs: Any) -> Any:
        """``config('name')`` queries one value; ``config(name=value, ...)`` sets values."""
        if args and kwargs:
            raise TypeError("can't specify pos and kw args")
        if len(args) != 1 and not kwargs:  # config() queries nothing: modbluetooth.c says so
            raise TypeError("must query one param")
        settings = self._stack.settings
        if args:
            name = args[0]
            if name == "mac":
                from aioble_hci.facade.stack import mac

                return self._call(mac, self._stack)
            if name in ("gap_name", "mtu", "rxbuf"):
                return getattr(settings, name)
            raise ValueError("unknown config param")
        for name in kwargs:
            if name not in _SETTABLE:
                raise ValueError("unknown config param")
        for name, value in kwargs.items():
            if name == "gap_name":
                settings.gap_name = _buffer(value)
            elif name == "mtu":
                mtu = _int(value)
                if not 23 <= mtu <= 517:
                    raise OSError(errno.EINVAL, "mtu must be 23..517")
                settings.mtu = mtu
            elif name == "rxbuf":
                rxbuf = _int(value)
                if not 16 <= rxbuf <= 0xFFFF:
                    raise ValueError()
                settings.rxbuf = rxbuf
            elif name == "addr_mode":
                mode = _int(value)
                if mode not in (0, 1, 2, 3):
                    raise ValueError("addr_mode must be 0 public, 1 random, 2 RPA or 3 NRPA")
                settings.addr_mode = mode
                if self._stack.active:
                    self._runtime.invoke(self._reprogram_address)
            elif name == "io":
                io = _int(value)
                if io not in (0, 1, 2, 3, 4):
                    raise ValueError("io must be 0..4")
                settings.io = io
            else:
                setattr(settings, name, bool(value))
        if self._stack.active and any(name in ("bond", "mitm", "le_secure", "io") for name in kwargs):
            self._runtime.invoke(self._pairing.apply_settings)
        return None

    def _reprogram_address(self) -> Any:
        from aioble_hci.facade.runtime import Pending

        return Pending(self._runtime.ops.submit(self._stack._program_address))

    def irq(self, handler: Any) -> None:
        """Set the event handler ``handler(event, data)``; None removes it."""
        if handler is not None and not callable(handler):
            raise ValueError("invalid handler")
        if "_stack" not in self.__dict__:  # not used yet (aioble sets its handler at import)
            self._early_handler = handler
            return
        self._stack.handler = handler

    # --- GAP -----------------------------------------------------------------------

    def gap_advertise(self, interval_us: Any = 500_000, adv_data: Any = None, *, resp_data: Any = None,
                      connectable: Any = True) -> None:
        """Advertise (legacy PDUs) every interval_us; None stops. adv_data None keeps the previous payload."""
        interval = None if interval_us is None else _int(interval_us)
        adv = None if adv_data is None else _buffer(adv_data)
        resp = None if resp_data is None else _buffer(resp_data)
        if (adv is not None and len(adv) > 31) or (resp is not None and len(resp) > 31):
            raise OSError(errno.EINVAL, "advertising payload longer than 31 bytes")
        self._call(self._gap.advertise, interval, adv, resp, bool(connectable))

    def gap_scan(self, duration_ms: Any = 0, interval_us: Any = DEFAULT_SCAN_INTERVAL_US,
                 window_us: Any = DEFAULT_SCAN_WINDOW_US, active: Any = False) -> None:
        """Scan for duration_ms (0 = until stopped); None stops (SCAN_DONE is raised at once)."""
        duration = None if duration_ms is None else _int(duration_ms)
        interval, window = _int(interval_us), _int(window_us)
        if duration is not None and window > interval:
            raise OSError(errno.EINVAL, "window_us must not exceed interval_us")
        self._call(self._gap.scan, duration, interval, window, bool(active))

    def gap_connect(self, addr_type: Any, addr: Any = None, scan_duration_ms: Any = None,
                    min_conn_interval_us: Any = None, max_conn_interval_us: Any = None) -> None:
        """Connect as central (default: 2 s, interval 30-50 ms); gap_connect(None) cancels an attempt.

        None in any of the last three positions means its default, as in MicroPython (upstream
        aioble passes None there).
        """
        if addr_type is None:
            self._call(self._gap.cancel_connect)
            return
        peer = _buffer(addr)
        if len(peer) != 6:
            raise ValueError("invalid addr")
        scan_ms = DEFAULT_CONNECT_SCAN_MS if scan_duration_ms is None else _int(scan_duration_ms)
        self._call(self._gap.connect, _int(addr_type), peer, scan_ms,
                   None if min_conn_interval_us is None else _int(min_conn_interval_us),
                   None if max_conn_interval_us is None else _int(max_conn_interval_us))

    def gap_disconnect(self, conn_handle: Any) -> bool:
        """True if a disconnection was started, False if the handle is not connected; OSError
        ENODEV while inactive (the NimBLE binding's "not active")."""
        return bool(self._call(self._disconnect, _int(conn_handle)))

    def _disconnect(self, conn_handle: int) -> Any:
        started, pending = self._gap.disconnect(conn_handle)
        if pending is not None:
            pending.value = started
            return pending
        return started

    def gap_pair(self, conn_handle: Any) -> None:
        """Start pairing with the config(bond=, le_secure=, io=) settings; ENCRYPTION_UPDATE follows."""
        self._call(self._pairing.pair, _int(conn_handle))

    def gap_passkey(self, conn_handle: Any, action: Any, passkey: Any) -> None:
        """Answer a PASSKEY_ACTION: the passkey typed (action 2) or the comparison verdict (action 4)."""
        self._call(self._pairing.passkey, _int(conn_handle), _int(action), _int(passkey))

    # --- GATT server ------------------------------------------------------------------

    def gatts_register_services(self, services_definition: Any) -> tuple[tuple[int, ...], ...]:
        """Replace the local database; returns, per service, its value and user-descriptor handles.

        OSError EBUSY while advertising, scanning, connecting or connected: NimBLE's database
        can only change when no GAP procedure runs and no peer is connected (ble_gatts_reset).
        """
        _check_definition(services_definition)
        return self._call(self._register_services, services_definition)

    def _register_services(self, services_definition: Any) -> Any:
        if self._gap.busy or self._stack.links:
            raise OSError(errno.EBUSY, "can't register services while advertising, scanning or connected")
        return self._gatts.register(services_definition, _core_uuid)

    def gatts_read(self, value_handle: Any) -> bytes:
        """The stored value (an append-mode buffer is cleared by reading)."""
        return self._call(self._gatts.read, _int(value_handle))

    def gatts_write(self, value_handle: Any, data: Any, send_update: Any = False) -> None:
        """Store a value; with send_update, notify or indicate each subscribed client (per its CCCD)."""
        self._call(self._gatts.write, _int(value_handle), _buffer(data), bool(send_update))

    def gatts_notify(self, conn_handle: Any, value_handle: Any, data: Any = None) -> None:
        """Notify (whatever the CCCD); data None sends the stored value; truncated to ATT_MTU-3."""
        self._call(self._gatts.notify, _int(conn_handle), _int(value_handle),
                   None if data is None else _buffer(data))

    def gatts_indicate(self, conn_handle: Any, value_handle: Any, data: Any = None) -> None:
        """Indicate (whatever the CCCD); GATTS_INDICATE_DONE follows the confirmation."""
        self._call(self._gatts.indicate, _int(conn_handle), _int(value_handle),
                   None if data is None else _buffer(data))

    def gatts_set_buffer(self, value_handle: Any, len: Any, append: Any = False) -> None:  # noqa: A002
        """Size the buffer for remote writes (emptying it); append accumulates writes until read."""
        self._call(self._gatts.set_buffer, _int(value_handle), _int(len), bool(append))

    # --- GATT client ------------------------------------------------------------------

    def gattc_discover_services(self, conn_handle: Any, uuid: Any = None) -> None:
        self._call(self._gattc.discover_services, _int(conn_handle), None if uuid is None else _core_uuid(uuid))

    def gattc_discover_characteristics(self, conn_handle: Any, start_handle: Any, end_handle: Any,
                                       uuid: Any = None) -> None:
        self._call(self._gattc.discover_characteristics, _int(conn_handle), _int(start_handle), _int(end_handle),
                   None if uuid is None else _core_uuid(uuid))

    def gattc_discover_descriptors(self, conn_handle: Any, start_handle: Any, end_handle: Any) -> None:
        self._call(self._gattc.discover_descriptors, _int(conn_handle), _int(start_handle), _int(end_handle))

    def gattc_read(self, conn_handle: Any, value_handle: Any) -> None:
        self._call(self._gattc.read, _int(conn_handle), _int(value_handle))

    def gattc_write(self, conn_handle: Any, value_handle: Any, data: Any, mode: Any = 0) -> None:
        """mode 0 write without response, 1 write with response (GATTC_WRITE_DONE); truncated to ATT_MTU-3."""
        self._call(self._gattc.write, _int(conn_handle), _int(value_handle), _buffer(data), _int(mode))

    def gattc_exchange_mtu(self, conn_handle: Any) -> None:
        self._call(self._gattc.exchange_mtu, _int(conn_handle))

    # --- L2CAP credit-based channels --------------------------------------------------

    def l2cap_listen(self, psm: Any, mtu: Any) -> None:
        """Accept channels on psm (one PSM at a time); L2CAP_ACCEPT's non-zero return refuses."""
        self._call(self._l2cap.listen, _int(psm), _int(mtu))

    def l2cap_connect(self, conn_handle: Any, psm: Any, mtu: Any) -> None:
        """Open a channel; L2CAP_CONNECT (or L2CAP_DISCONNECT with the refusal) follows."""
        self._call(self._l2cap.connect, _int(conn_handle), _int(psm), _int(mtu))

    def l2cap_disconnect(self, conn_handle: Any, cid: Any) -> None:
        self._call(self._l2cap.disconnect, _int(conn_handle), _int(cid))

    def l2cap_send(self, conn_handle: Any, cid: Any, buf: Any) -> bool:
        """Send one SDU; False when the channel is now stalled (wait for L2CAP_SEND_READY)."""
        return bool(self._call(self._l2cap.send, _int(conn_handle), _int(cid), _buffer(buf)))

    def l2cap_recvinto(self, conn_handle: Any, cid: Any, buf: Any) -> int:
        """Copy bytes of the current SDU into buf (None: how many remain); credits return once drained."""
        if buf is not None:
            memoryview(buf)  # TypeError for a non-buffer, in the calling thread
        return int(self._call(self._l2cap.recvinto, _int(conn_handle), _int(cid), buf))

    # --- raw HCI ----------------------------------------------------------------------------

    def hci_cmd(self, ogf: Any, ocf: Any, req: Any, resp: Any) -> int:
        """Send a raw HCI command; returns its status, the return parameters go into resp.

        From an IRQ handler the command is only queued: it returns 0 and resp is filled later.
        """
        if resp is not None:
            memoryview(resp)
        from aioble_hci.facade.hci_ll import hci_cmd

        return int(self._call(hci_cmd, self._stack, _int(ogf), _int(ocf), _buffer(req), resp) or 0)
