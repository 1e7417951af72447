"""The virtual air: the radio medium that links virtual controllers.

One Air runs all its controllers on one event loop (its own daemon thread when
none is given). It carries advertising PDUs from advertisers to scanners and
initiators, at each advertiser's interval, and hosts the links of connections
(see link.py). Fast mode delivers advertising and connection events at once,
for tests of logic; otherwise (the default) the timing follows the intervals
the hosts asked for, as a radio's: a central takes the maximum of the requested
connection interval range (connections.py) and a reply waits for the next
connection event (link.py).

Fault injection for tests: `drop_link`, `drop_next_packets`, `packet_delay`,
`corrupt_next_event`, `set_in_range`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aioble_hci.controller.controller import VirtualController
    from aioble_hci.controller.link import Link

log = logging.getLogger(__name__)

# Extended advertising event properties (Vol 4 Part E, 7.8.53).
PROP_CONNECTABLE = 0x01
PROP_SCANNABLE = 0x02
PROP_DIRECTED = 0x04
PROP_HIGH_DUTY = 0x08
PROP_LEGACY = 0x10


def on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether the calling thread is running `loop` right now."""
    return asyncio._get_running_loop() is loop


@dataclass(frozen=True, slots=True)
class AdvertisingPdu:
    """What one advertising event puts on the air (and the scan response it would give)."""

    advertiser: VirtualController
    set_handle: int  # the advertiser's key for the set: its handle, or -1 for legacy advertising
    properties: int
    address_type: int
    address: bytes
    data: bytes = b""
    scan_response: bytes = b""
    target_type: int = 0
    target: bytes | None = None
    sid: int = 0
    tx_power: int = 0
    primary_phy: int = 1
    secondary_phy: int = 1

    @property
    def connectable(self) -> bool:
        return bool(self.properties & PROP_CONNECTABLE)

    @property
    def scannable(self) -> bool:
        return bool(self.properties & PROP_SCANNABLE)

    @property
    def directed(self) -> bool:
        return bool(self.properties & PROP_DIRECTED)

    @property
    def legacy(self) -> bool:
        return bool(self.properties & PROP_LEGACY)


class Deferred:
    """A call `Air.soon` put at the end of the running batch; cancellable like an asyncio.Handle."""

    __slots__ = ("func", "cancelled")

    def __init__(self, func: Callable[[], None]) -> None:
        self.func = func
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass(eq=False)
class _Advertiser:
    pdu: Callable[[], AdvertisingPdu | None]
    interval_s: float
    timer: asyncio.TimerHandle | asyncio.Handle | None = field(default=None)


class Air:
    """The medium shared by virtual controllers.

    `connection_interval_ms`, when given, overrides the negotiated interval for
    the timing of connection events; `packets_per_event` caps how many ACL
    packets each side sends per connection event (the data rate). `time_scale`
    multiplies the controllers' protocol timers (`timer_delay`), so a test can see
    a 1.28 s limit end in milliseconds; fast mode leaves those timers alone.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop | None = None,
        fast: bool = False,
        connection_interval_ms: float | None = None,
        packets_per_event: int = 6,
        rssi: int = -50,
        time_scale: float = 1.0,
    ) -> None:
        if time_scale <= 0:
            raise ValueError(f"time_scale must be positive, not {time_scale}")
        self.fast = fast
        self.time_scale = time_scale
        self.connection_interval_ms = connection_interval_ms
        self.packets_per_event = max(1, packets_per_event)
        self.rssi = rssi
        self.controllers: list[VirtualController] = []
        # Controllers scanning or initiating, the only ones an advertising PDU concerns: a busy air
        # has hundreds of advertisers and few listeners (insertion-ordered, for a stable order).
        self._listeners: dict[VirtualController, set[str]] = {}
        self.links: set[Link] = set()
        self.packet_delay = 0.0
        self._drop_packets = 0
        self._out_of_range: set[frozenset[int]] = set()
        self._advertisers: dict[tuple[int, int], _Advertiser] = {}
        self._batch: list[Deferred] | None = None
        self._thread: threading.Thread | None = None
        if loop is None:
            loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._run, args=(loop,), name="aioble-hci-air", daemon=True)
            self._thread.start()
        self.loop = loop

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    def call(self, func: Callable[..., Any], *args: Any) -> None:
        """Run `func(*args)` soon on the air's loop, from any thread (no self-pipe wake-up when
        the caller already runs on that loop, as the hosts of tests and benchmarks do)."""
        if on_loop(self.loop):
            self.loop.call_soon(func, *args)
        else:
            self.loop.call_soon_threadsafe(func, *args)

    def soon(self, func: Callable[[], None]) -> asyncio.Handle | Deferred:
        """Run `func()` soon on the air's loop (called on it): at the end of the running batch
        when there is one (see `run_batch`), else at the loop's next turn."""
        if self._batch is not None:
            deferred = Deferred(func)
            self._batch.append(deferred)
            return deferred
        return self.loop.call_soon(func)

    def run_batch(self, func: Callable[[], None]) -> None:
        """Run `func()`, then at once the calls it asked for with `soon`, in order.

        A controller handles a burst from its host this way, so in fast mode the connection
        event that carries the burst follows in the same turn of the loop, not the next one.
        """
        if self._batch is not None:  # already inside a batch: it runs ours too
            func()
            return
        batch: list[Deferred] = []
        self._batch = batch
        try:
            func()
        finally:
            self._batch = None
        for deferred in batch:
            if not deferred.cancelled:
                try:
                    deferred.func()
                except Exception:  # as the loop would for a failing callback: log, carry on
                    log.exception("air: deferred call %r failed", deferred.func)

    def close(self) -> None:
        """Stop the air's own thread (if it has one); controllers stay as they are."""
        if self._thread is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=2)

    # -- membership ---------------------------------------------------------
    def add(self, controller: VirtualController) -> None:
        self.controllers.append(controller)

    def set_listening(self, controller: VirtualController, state: str, on: bool) -> None:
        """A controller started or stopped a listening state ("scanning", "initiating")."""
        states = self._listeners.get(controller)
        if on and controller in self.controllers:
            self._listeners.setdefault(controller, set()).add(state)
        elif states is not None:
            states.discard(state)
            if not states:
                del self._listeners[controller]

    def remove(self, controller: VirtualController) -> None:
        """The controller vanishes (power off, process killed): its links time out at the peers."""
        self._listeners.pop(controller, None)
        if controller in self.controllers:
            self.controllers.remove(controller)
        for key in [k for k in self._advertisers if k[0] == id(controller)]:
            self._stop(key)
        for link in [lk for lk in self.links if controller in (lk.central.controller, lk.peripheral.controller)]:
            link.lose(vanished=controller)

    def in_range(self, a: VirtualController, b: VirtualController) -> bool:
        out = self._out_of_range
        return a is not b and (not out or frozenset((id(a), id(b))) not in out)

    def set_in_range(self, a: VirtualController, b: VirtualController, in_range: bool) -> None:
        """Fault injection: take two controllers out of (or back into) radio range."""
        key = frozenset((id(a), id(b)))
        if in_range:
            self._out_of_range.discard(key)
        else:
            self._out_of_range.add(key)
            for link in list(self.links):
                if {link.central.controller, link.peripheral.controller} == {a, b}:
                    link.lose()

    # -- advertising --------------------------------------------------------
    def start_advertising(
        self,
        controller: VirtualController,
        set_handle: int,
        pdu: Callable[[], AdvertisingPdu | None],
        interval_s: float,
    ) -> None:
        """Send `pdu()` every `interval_s` until stopped (the first one at once in fast mode)."""
        key = (id(controller), set_handle)
        self._stop(key)
        adv = _Advertiser(pdu, max(interval_s, 0.02))
        self._advertisers[key] = adv
        if self.fast:
            adv.timer = self.loop.call_soon(self._advertising_event, key)
        else:
            adv.timer = self.loop.call_later(adv.interval_s, self._advertising_event, key)

    def stop_advertising(self, controller: VirtualController, set_handle: int) -> None:
        self._stop((id(controller), set_handle))

    def _stop(self, key: tuple[int, int]) -> None:
        adv = self._advertisers.pop(key, None)
        if adv is not None and adv.timer is not None:
            adv.timer.cancel()

    def _advertising_event(self, key: tuple[int, int]) -> None:
        adv = self._advertisers.get(key)
        if adv is None:
            return
        adv.timer = self.loop.call_later(adv.interval_s, self._advertising_event, key)
        pdu = adv.pdu()
        if pdu is not None:
            self.broadcast(pdu)

    def broadcast(self, pdu: AdvertisingPdu) -> None:
        """Deliver one advertising PDU to every other controller in range that scans or initiates."""
        for other in list(self._listeners):
            if other is not pdu.advertiser and self.in_range(pdu.advertiser, other):
                other.on_advertising_pdu(pdu)

    def replay_advertising(self, listener: VirtualController) -> None:
        """Fast mode: a scanner or initiator that just started hears every advertiser at once."""
        if not self.fast:
            return
        for adv in list(self._advertisers.values()):
            pdu = adv.pdu()
            if pdu is not None and self.in_range(pdu.advertiser, listener):
                self.loop.call_soon(listener.on_advertising_pdu, pdu)

    # -- connections --------------------------------------------------------
    def event_delay(self, interval_units: int) -> float:
        """Seconds between connection events for a link at `interval_units` x 1.25 ms."""
        if self.fast:
            return 0.0
        if self.connection_interval_ms is not None:
            return self.connection_interval_ms / 1000
        return interval_units * 1.25e-3

    def timer_delay(self, seconds: float) -> float:
        """Seconds until a controller's protocol timer fires (advertising and scan durations, the
        1.28 s limit of high duty cycle directed advertising), scaled by `time_scale` for tests."""
        return seconds * self.time_scale

    def supervision_delay(self, timeout_units: int) -> float:
        """Seconds before a silent link is declared lost (timeout x 10 ms; at once in fast mode)."""
        return 0.0 if self.fast else timeout_units * 10e-3

    def drop_link(self, link: Link) -> None:
        """Fault injection: the link is lost; both sides see a supervision timeout (0x08)."""
        link.lose()

    def drop_next_packets(self, count: int) -> None:
        """Fault injection: the next `count` ACL packets on any link never arrive."""
        self._drop_packets += count

    def take_drop(self) -> bool:
        if self._drop_packets > 0:
            self._drop_packets -= 1
            return True
        return False

    def corrupt_next_event(
        self,
        controller: VirtualController,
        mutate: Callable[[bytes], bytes] | None = None,
        event_code: int | None = None,
    ) -> None:
        """Fault injection: the controller's next event (of `event_code`, if given) reaches its host mangled.

        The default mutation truncates the event's parameters by one byte but keeps the length field.
        """
        controller.corrupt_next_event(mutate, event_code)

    def __repr__(self) -> str:
        return f"<Air fast={self.fast} controllers={len(self.controllers)} links={len(self.links)}>"
