"""The stateful fuzzer: a hypothesis RuleBasedStateMachine driving host A against peer B.

Each example builds a fresh `World` on its own event loop; every rule runs one operation on
that loop with `run_until_complete`: GAP (advertise, scan, connect/cancel, disconnect,
parameter update, data length, PHY), GATT client and server calls, L2CAP CoC, SMP, raw PDUs
on CIDs 4/5/6 and dynamic CIDs (from either side), each awaited ("await"), cancelled after a
short wait ("short") or left running ("background", possibly cancelled by a later rule).
After every rule the invariants in `invariants.py` are checked; at the end the world closes
and nothing may be left on the loop. A failure names the broken invariant; hypothesis prints
the shrunk steps.
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from aioble_hci.att.errors import (
    AttError,
    AttTimeoutError,
    BearerClosedError,
    IndicationPendingError,
)
from aioble_hci.att.gatt import CLIENT_CHARACTERISTIC_CONFIGURATION
from aioble_hci.host.connection import Connection
from aioble_hci.host.errors import HciError
from aioble_hci.host.gap import ConnectionParameters
from aioble_hci.host.l2cap import CocChannel, L2capChannelError
from aioble_hci.host.smp import SmpError
from aioble_hci.l2cap.manager import L2capUsageError
from aioble_hci.smp.pdus import IoCapability
from tests.stateful import known, pdus
from tests.stateful.invariants import (
    Recorder,
    Tracked,
    connection_state_problems,
    leftovers,
)
from tests.stateful.world import (
    CHAR,
    OP_BOUND,
    SPSM,
    Stack,
    World,
    short_protocol_timers,
    value_handles,
)

EXPECTED: tuple[type[BaseException], ...] = (
    AttError, AttTimeoutError, BearerClosedError, IndicationPendingError, HciError, ConnectionError,
    L2capChannelError, L2capUsageError, SmpError,
)
"""What an operation may raise when the link, the peer or the controller says no."""
USAGE = (*EXPECTED, ValueError)
"""Operations whose arguments the fuzzer draws out of range may also refuse them."""

OUTCOMES: Counter[tuple[str, str]] = Counter()
"""(operation, outcome) counts over the run: how often each operation did something real."""
SAMPLES: dict[tuple[str, str], str] = {}
"""The first error message seen per (operation, outcome)."""
MODE = st.sampled_from(["await", "await", "await", "short", "background"])
PICK = st.integers(0, 3)
SHORT_WAITS = (0.0, 0.001, 0.01, 0.05)
SEND_PATIENCE = 0.5


@dataclass
class Op:
    name: str
    task: asyncio.Task[Any]
    expected: tuple[type[BaseException], ...]
    started: float
    cancelled_by_us: bool = False


def open_problems(problems: list[str]) -> list[str]:
    """The problems not already tracked by a failing test in test_findings.py (see known.py)."""
    return [p for p in problems if not any(known_text in p for known_text in known.IGNORED_PROBLEMS)]


class StackMachine(RuleBasedStateMachine):
    """Host A driven by random operations against the cooperative peer B."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.recorder = Recorder()
        self.recorder.install(self.loop)
        self._timers = short_protocol_timers()
        self._timers.__enter__()
        self.findings: list[str] = []
        self.background: list[Op] = []
        self.tracked = Tracked()
        self.world: World = self.loop.run_until_complete(World.create())

    # -- running operations ---------------------------------------------------------------------

    @property
    def a(self) -> Stack:
        return self.world.a

    @property
    def b(self) -> Stack:
        return self.world.b

    def run(self, name: str, make: Callable[[], Awaitable[Any]], mode: str = "await",
            expected: tuple[type[BaseException], ...] = EXPECTED, short_wait: float = 0.01) -> None:
        self.loop.run_until_complete(self._run(name, make, mode, expected, short_wait))

    async def _run(self, name: str, make: Callable[[], Awaitable[Any]], mode: str,
                   expected: tuple[type[BaseException], ...], short_wait: float) -> None:
        async def call() -> Any:
            return await make()

        task = self.loop.create_task(call(), name=name)
        op = Op(name, task, expected, self.loop.time())
        if mode == "background":
            self.background.append(op)
            await asyncio.sleep(0)
            return
        done, _ = await asyncio.wait({task}, timeout=short_wait if mode == "short" else OP_BOUND)
        if not done and mode == "short":
            task.cancel()
            op.cancelled_by_us = True
            done, _ = await asyncio.wait({task}, timeout=OP_BOUND)
            if not done:
                self.findings.append(f"{name}: still running {OP_BOUND} s after it was cancelled")
                return
        if not done:
            self.findings.append(f"{name}: did not finish or time out within {OP_BOUND} s (hang)")
            task.cancel()
            return
        self._outcome(op)

    def _outcome(self, op: Op) -> None:
        task = op.task
        key = (op.name.split("(")[0], "cancelled" if task.cancelled() else
               type(task.exception()).__name__ if task.exception() else "ok")
        OUTCOMES[key] += 1
        if not task.cancelled() and task.exception() is not None:
            SAMPLES.setdefault(key, str(task.exception())[:100])
        if task.cancelled():
            if not op.cancelled_by_us:
                self.findings.append(f"{op.name}: cancelled, but not by the caller")
            return
        exc = task.exception()
        if exc is not None and not isinstance(exc, op.expected):
            text = "".join(traceback.format_exception(exc))
            self.findings.append(f"{op.name}: unexpected {type(exc).__name__}: {exc}\n{text}")

    def _reap(self) -> None:
        now = self.loop.time()
        for op in list(self.background):
            if op.task.done():
                self.background.remove(op)
                self._outcome(op)
            elif now - op.started > OP_BOUND:
                self.background.remove(op)
                op.task.cancel()
                self.findings.append(f"{op.name} (background): running for over {OP_BOUND} s (hang)")

    def _conn(self, stack: Stack, pick: int, stale: bool = False, live_only: bool = False) -> Connection | None:
        """A live connection of `stack`, or (with `stale`, or when none is live) one that closed."""
        if live_only:
            return stack.live[pick % len(stack.live)] if stack.live else None
        pool = stack.seen[-4:] if stale or not stack.live else stack.live
        return pool[pick % len(pool)] if pool else None

    def _channel(self, stack: Stack, pick: int) -> CocChannel | None:
        open_ = [c for c in stack.channels if c.connected]
        pool = open_ or stack.channels[-4:]
        return pool[pick % len(pool)] if pool else None

    # -- GAP ------------------------------------------------------------------------------------

    @rule(mode=MODE)
    def advertise(self, mode: str) -> None:
        self.run("A.advertise", lambda: self.a.gap.advertise(b"\x02\x01\x06"), mode, USAGE)

    @rule(mode=MODE)
    def stop_advertising(self, mode: str) -> None:
        self.run("A.stop_advertising", lambda: self.a.gap.stop_advertising(), mode)

    @rule(mode=MODE)
    def start_scan(self, mode: str) -> None:
        self.run("A.start_scan", lambda: self.a.gap.start_scan(), mode, USAGE)

    @rule(mode=MODE)
    def stop_scan(self, mode: str) -> None:
        self.run("A.stop_scan", lambda: self.a.gap.stop_scan(), mode)

    @initialize()
    def connected(self) -> None:
        """Every sequence starts with A connected to B as central and a CoC channel open between
        them (most operations need a link, CoC operations a channel)."""
        self.connect("await", 2.0, 0.0)
        self.coc_connect(0, False, SPSM, 512, 247, 8, 0, "await", "A")

    @rule(mode=MODE, timeout=st.sampled_from([0.0, 0.005, 2.0]), wait=st.sampled_from(SHORT_WAITS))
    def connect(self, mode: str, timeout: float, wait: float) -> None:
        address = self.b.gap.address
        assert address is not None
        self.run("A.connect", lambda: self.a.gap.connect(address, timeout=timeout), mode, short_wait=wait)

    @rule(mode=MODE)
    def cancel_connect(self, mode: str) -> None:
        self.run("A.cancel_connect", lambda: self.a.gap.cancel_connect(), mode)

    @rule(mode=MODE)
    def peer_connects(self, mode: str) -> None:
        """B connects to A as central (A is peripheral then) when A advertises."""
        if not self.a.gap.advertiser.active_sets:
            return
        address = self.a.gap.address
        assert address is not None
        self.run("B.connect", lambda: self.b.gap.connect(address, timeout=1.0), mode)

    @rule(pick=PICK, stale=st.booleans(), reason=st.sampled_from([0x13, 0x05, 0x15, 0x1A, 0x3B, 0x00]),
          mode=MODE, side=st.sampled_from("AB"), reconnect=st.booleans())
    def disconnect(self, pick: int, stale: bool, reason: int, mode: str, side: str, reconnect: bool) -> None:
        """Disconnect from either side; with `reconnect`, A connects to B again at once."""
        stack = self.a if side == "A" else self.b
        conn = self._conn(stack, pick, stale)
        if conn is not None:
            self.run(f"{side}.disconnect", lambda: stack.gap.disconnect(conn, reason, timeout=2.0), mode)
        if reconnect:
            self.loop.run_until_complete(self.world.peer_advertise())
            self.connect("await", 2.0, 0.0)

    @rule(pick=PICK, interval=st.sampled_from([(6, 6), (24, 40), (6, 3200), (3200, 3200), (40, 24), (5, 6)]),
          latency=st.sampled_from([0, 4, 499, 500]), timeout=st.sampled_from([10, 400, 3200, 9]), mode=MODE)
    def update_connection(self, pick: int, interval: tuple[int, int], latency: int, timeout: int, mode: str) -> None:
        conn = self._conn(self.a, pick)
        if conn is not None:
            params = ConnectionParameters(interval[0], interval[1], latency, timeout)
            self.run("A.update_connection", lambda: self.a.gap.update_connection(conn, params, timeout=2.0),
                     mode, USAGE)

    @rule(pick=PICK, side=st.sampled_from("AB"), interval=st.sampled_from([(6, 6), (24, 40), (40, 24)]),
          timeout=st.sampled_from([400, 5]), mode=MODE)
    def request_parameters(self, pick: int, side: str, interval: tuple[int, int], timeout: int, mode: str) -> None:
        """A peripheral asks its central over L2CAP signalling (Vol 3 Part A, 4.20)."""
        stack = self.a if side == "A" else self.b
        conn = self._conn(stack, pick, live_only=known.STALE_CONNECTION_LINKS)
        if conn is not None:
            self.run(f"{side}.request_connection_parameter_update",
                     lambda: stack.l2cap.request_connection_parameter_update(conn, interval[0], interval[1], 0,
                                                                             timeout), mode, USAGE)

    @rule(pick=PICK, octets=st.sampled_from([27, 100, 251, 0, 300]), mode=MODE)
    def set_data_length(self, pick: int, octets: int, mode: str) -> None:
        conn = self._conn(self.a, pick)
        if conn is not None:
            self.run("A.set_data_length", lambda: self.a.gap.set_data_length(conn, octets, 2120), mode)

    @rule(pick=PICK, tx=st.sampled_from([1, 2, 3]), rx=st.sampled_from([1, 2, 3]), mode=MODE)
    def set_phy(self, pick: int, tx: int, rx: int, mode: str) -> None:
        conn = self._conn(self.a, pick)
        if conn is not None:
            self.run("A.set_phy", lambda: self.a.gap.set_phy(conn, tx, rx), mode, USAGE)

    # -- GATT -----------------------------------------------------------------------------------

    @rule(pick=PICK, stale=st.booleans(), kind=st.sampled_from([
        "mtu", "services", "characteristics", "descriptors", "read", "read_long", "read_by_uuid", "read_multiple",
        "write", "write_command", "write_long", "reliable_write", "subscribe", "unsubscribe"]),
        which=st.sampled_from(["short", "cccd", "long", "other"]), other=st.integers(0, 0x20) | st.just(0xFFFF),
        value=st.binary(max_size=300), mode=MODE, wait=st.sampled_from(SHORT_WAITS), side=st.sampled_from("AAB"))
    def gatt_client(self, pick: int, stale: bool, kind: str, which: str, other: int, value: bytes, mode: str,
                    wait: float, side: str) -> None:
        """A GATT client procedure from A (or from B, against A's server) on the other's database."""
        stack, peer = (self.a, self.b) if side == "A" else (self.b, self.a)
        conn = self._conn(stack, pick, stale)
        if conn is None:
            return
        short, cccd, long = value_handles(peer)
        handle = {"short": short, "cccd": cccd, "long": long}.get(which, other)
        gatt = stack.gatt

        async def operation() -> Any:
            client = gatt.client(conn)
            if kind == "mtu":
                return await client.exchange_mtu()
            if kind == "services":
                return await client.discover_services()
            if kind in ("characteristics", "descriptors", "subscribe", "unsubscribe"):
                services = await client.discover_services()
                chars = [c for s in services for c in await client.discover_characteristics(s)]
                mine = [c for c in chars if c.uuid == CHAR]
                if not mine:
                    return None
                if kind == "descriptors":
                    return await client.discover_descriptors(mine[0])
                if kind == "subscribe":
                    return await client.subscribe(mine[0], notify=bool(handle & 1), indicate=bool(handle & 2),
                                                  cccd_handle=cccd if which == "cccd" else None)
                if kind == "unsubscribe":
                    return await client.unsubscribe(mine[0])
                return chars
            if kind in ("read", "read_long"):
                return await client.read(handle, long=kind == "read_long")
            if kind == "read_by_uuid":
                return await client.read_by_uuid(CLIENT_CHARACTERISTIC_CONFIGURATION if which == "cccd" else CHAR)
            if kind == "read_multiple":
                return await client.read_multiple([short, handle], variable=bool(other & 1))
            if kind == "write":
                return await client.write(handle, value[:client.mtu])
            if kind == "write_command":
                return await client.write(handle, value[:client.mtu - 3], response=False)
            if kind == "write_long":
                return await client.write_long(handle, value, offset=other if which == "other" else 0)
            return await client.reliable_write([(short, value[:10]), (handle, value[10:40])])

        self.run(f"{side}.gatt.{kind}", operation, mode, USAGE, short_wait=wait)

    @rule(pick=PICK, stale=st.booleans(), kind=st.sampled_from(["notify", "indicate", "write_update"]),
          value=st.binary(max_size=300), mode=MODE, wait=st.sampled_from(SHORT_WAITS))
    def gatt_server(self, pick: int, stale: bool, kind: str, value: bytes, mode: str, wait: float) -> None:
        conn = self._conn(self.a, pick, stale)
        if conn is None:
            return
        short, _cccd, _long = value_handles(self.a)
        server = self.a.gatt.server

        async def operation() -> None:
            if kind == "notify":
                server.notify(conn, short, value[:self.a.gatt.mtu(conn) - 3])
            elif kind == "indicate":
                await server.indicate(conn, short, value[:self.a.gatt.mtu(conn) - 3])
            else:
                server.write(short, value[:20], send_update=True)

        self.run(f"A.gatt_server.{kind}", operation, mode, USAGE, short_wait=wait)

    # -- L2CAP credit-based channels ------------------------------------------------------------

    @rule(pick=PICK, stale=st.booleans(), spsm=st.sampled_from([SPSM, SPSM, SPSM, 0x81, 0x25]),
          mtu=st.sampled_from([64, 512, 512, 23, 22]), mps=st.sampled_from([23, 64, 247]),
          credits=st.sampled_from([0, 1, 8]), count=st.sampled_from([0, 0, 2, 5]), mode=MODE,
          side=st.sampled_from("AAB"))
    def coc_connect(self, pick: int, stale: bool, spsm: int, mtu: int, mps: int, credits: int, count: int,
                    mode: str, side: str) -> None:
        stack = self.a if side == "A" else self.b
        conn = self._conn(stack, pick, stale, live_only=known.STALE_CONNECTION_LINKS)
        if conn is None:
            return
        l2cap = stack.l2cap
        if count:
            self.run(f"{side}.l2cap.connect_ecfc",
                     lambda: l2cap.connect_ecfc(conn, spsm, count, mtu, mps, credits), mode, USAGE)
        else:
            self.run(f"{side}.l2cap.connect", lambda: l2cap.connect(conn, spsm, mtu, mps, credits), mode, USAGE)

    @rule(pick=PICK, size=st.integers(0, 700), mode=MODE, wait=st.sampled_from(SHORT_WAITS),
          side=st.sampled_from("AAB"))
    def coc_send(self, pick: int, size: int, mode: str, wait: float, side: str) -> None:
        """Send an SDU (up to past the peer's MTU); B drains at once, A only in coc_receive."""
        channel = self._channel(self.a if side == "A" else self.b, pick)
        if channel is not None:
            data = bytes(i & 0xFF for i in range(size))
            self.run(f"{side}.coc.send", lambda: self._send_or_block(side, channel, data), mode, USAGE,
                     short_wait=wait)

    async def _send_or_block(self, side: str, channel: CocChannel, data: bytes) -> None:
        """`channel.send(data)`, given up after SEND_PATIENCE when it waits for credits the receiver
        withholds (A reads only in coc_receive; a channel opened with 0 credits gets none): that
        is flow control, as a socket blocks. Waiting with credits and an empty queue is a finding."""
        task = asyncio.ensure_future(channel.send(data))
        try:
            done, _ = await asyncio.wait({task}, timeout=SEND_PATIENCE)
        except asyncio.CancelledError:  # our caller gave up: so does the send, its outcome retrieved
            task.cancel()
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            raise
        if done:
            return task.result()
        flow_controlled = channel.stalled or not channel._writable.is_set()
        task.cancel()
        await asyncio.wait({task})
        if not flow_controlled and channel.connected:
            self.findings.append(f"{side}.coc.send: blocked {SEND_PATIENCE} s on {channel!r} with credits "
                                 "and no backlog")
        return None

    @rule(pick=PICK, mode=MODE)
    def coc_receive(self, pick: int, mode: str) -> None:
        channel = self._channel(self.a, pick)
        if channel is not None:
            self.run("A.coc.receive", lambda: channel.receive(), "short" if mode == "await" else mode,
                     short_wait=0.01)

    @rule(pick=PICK, mode=MODE, side=st.sampled_from("AB"))
    def coc_disconnect(self, pick: int, mode: str, side: str) -> None:
        channel = self._channel(self.a if side == "A" else self.b, pick)
        if channel is not None:
            self.run(f"{side}.coc.disconnect", lambda: channel.disconnect(), mode)

    @rule(spsm=st.sampled_from([SPSM, 0x81]), listen=st.booleans())
    def coc_listen(self, spsm: int, listen: bool) -> None:
        async def operation() -> None:
            if listen:
                self.a.l2cap.listen(spsm)
            else:
                self.a.l2cap.unlisten(spsm)

        self.run(f"A.l2cap.{'listen' if listen else 'unlisten'}", operation, "await", USAGE)

    # -- SMP ------------------------------------------------------------------------------------

    @rule(pick=PICK, stale=st.booleans(), side=st.sampled_from("AAB"), io=st.sampled_from(list(IoCapability)),
          mitm=st.booleans(), sc=st.booleans(), bond=st.booleans(), mode=MODE, wait=st.sampled_from(SHORT_WAITS))
    def pair(self, pick: int, stale: bool, side: str, io: IoCapability, mitm: bool, sc: bool, bond: bool, mode: str,
             wait: float) -> None:
        stack = self.a if side == "A" else self.b
        conn = self._conn(stack, pick, stale, live_only=known.STALE_CONNECTION_LINKS)
        if conn is not None:
            self.run(f"{side}.smp.pair",
                     lambda: stack.smp.pair(conn, bond=bond, mitm=mitm, sc=sc, io=io), mode, short_wait=wait)

    @rule(pick=PICK, stale=st.booleans(), mode=MODE)
    def encrypt(self, pick: int, stale: bool, mode: str) -> None:
        conn = self._conn(self.a, pick, stale, live_only=known.STALE_CONNECTION_LINKS)
        if conn is not None:
            self.run("A.smp.encrypt", lambda: self.a.smp.encrypt(conn), mode, USAGE)

    @rule(side=st.sampled_from("AB"))
    def delete_bond(self, side: str) -> None:
        stack, other = (self.a, self.b) if side == "A" else (self.b, self.a)
        address = other.gap.identity_address
        assert address is not None
        self.run(f"{side}.smp.delete_bond", lambda: stack.smp.delete_bond(address))

    # -- raw PDUs -------------------------------------------------------------------------------

    @rule(pick=PICK, side=st.sampled_from("AB"), raw=st.one_of(
        *(st.tuples(st.just(kind), pdus.payload_for(kind)) for kind in ("att", "signaling", "smp", "dynamic")),
        st.tuples(st.integers(0, 0xFFFF).map(str), pdus.payload_for("random"))))
    def inject(self, pick: int, side: str, raw: tuple[str, bytes]) -> None:
        """Send a raw (often malformed) PDU on the link, past the sender's own bearers."""
        stack = self.a if side == "A" else self.b
        conn = self._conn(stack, pick, live_only=True)
        if conn is None:
            return
        kind, payload = raw
        if kind == "dynamic":
            mine = [c for c in stack.channels if c.connected and c.connection is conn]
            cid = mine[pick % len(mine)].peer_cid if mine else 0x0040 + pick
        else:
            cid = {"att": 0x0004, "signaling": 0x0005, "smp": 0x0006}.get(kind) or int(kind)

        async def operation() -> None:
            stack.host.send_l2cap(conn.handle, cid, payload)
            for _ in range(10):
                await asyncio.sleep(0)

        self.run(f"{side}.send_l2cap(cid=0x{cid:04x})", operation)

    # -- scheduling -----------------------------------------------------------------------------

    @rule(pick=st.integers(0, 7))
    def cancel_background(self, pick: int) -> None:
        if not self.background:
            return
        op = self.background[pick % len(self.background)]
        if not op.task.done():
            op.task.cancel()
            op.cancelled_by_us = True

    @rule(seconds=st.sampled_from([0.0, 0.01, 0.1]))
    def settle(self, seconds: float) -> None:
        self.loop.run_until_complete(asyncio.sleep(seconds))

    # -- invariants -----------------------------------------------------------------------------

    @invariant()
    def nothing_escaped_and_nothing_hangs_or_leaks(self) -> None:
        for _ in range(5):
            self.loop.run_until_complete(asyncio.sleep(0))
        self._reap()
        problems = open_problems(list(self.findings) + list(self.recorder.problems))
        for stack in (self.a, self.b):
            problems += connection_state_problems(stack)
            self.tracked.collect(stack)
        problems += self.tracked.problems()
        self.findings.clear()
        self.recorder.problems.clear()
        assert not problems, "\n".join(problems)

    def teardown(self) -> None:
        try:
            self.loop.run_until_complete(self._finish())
        finally:
            with contextlib.suppress(Exception):
                for task in asyncio.all_tasks(self.loop):
                    task.cancel()
                self.loop.run_until_complete(asyncio.sleep(0))
            self.loop.close()
            self.recorder.remove()
            self._timers.__exit__(None, None, None)

    async def _finish(self) -> None:
        """Close the world: every background operation ends, nothing stays on the loop."""
        await asyncio.wait_for(self.world.close(), OP_BOUND * 2)
        pending = [op.task for op in self.background if not op.task.done()]
        if pending:
            await asyncio.wait(pending, timeout=OP_BOUND)
        hung = [op.name for op in self.background if not op.task.done()]
        for op in self.background:
            if op.task.done():
                self._outcome(op)
        for _ in range(5):
            await asyncio.sleep(0)
        problems = open_problems(list(self.findings) + list(self.recorder.problems))
        problems += [f"{name}: still running after the hosts closed" for name in hung]
        problems += leftovers(self.loop)
        assert not problems, "after closing:\n" + "\n".join(problems)
