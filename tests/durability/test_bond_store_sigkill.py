"""A writer SIGKILLed at random points in a loop of bond updates never leaves a corrupt or empty store.

FileBondStore promises atomic saves (temp file, fsync, rename, fsync directory): after
each kill the store must load cleanly and hold the constant bond plus the updated
bond at either the last generation the writer reported committed or the one after
it (killed after the rename but before reporting).
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from aioble_hci.host.smp.bond_file import FileBondStore
from tests.durability.bond_writer import CONSTANT, constant_bond, generation, generation_bond

ROOT = Path(__file__).resolve().parents[2]
KILLS = 40
MAX_DELAY = 0.02  # seconds between the child starting and its SIGKILL: a few dozen saves at most
WAIT = 10.0  # a guard against hangs, never a timing assertion


class Writer:
    """The forking writer process and a line reader on its stdout."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "tests.durability.bond_writer", str(path)],
                                        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._buffer = b""

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def line(self) -> str:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + WAIT
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, "the bond writer stopped talking"
            chunk = os.read(fd, 4096)
            assert chunk, "the bond writer exited"
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def test_sigkilled_writer_always_leaves_the_old_or_the_new_bond(tmp_path: Path) -> None:
    path = tmp_path / "bonds.json"
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    writer = Writer(path)
    committed = 0
    try:
        for kill in range(KILLS):
            writer.send("fork")
            words = writer.line().split()
            assert words[0] == "pid", words
            pid = int(words[1])
            time.sleep(rng.uniform(0, MAX_DELAY))
            os.kill(pid, signal.SIGKILL)
            writer.send(f"reap {pid}")
            while (words := writer.line().split())[0] == "committed":
                committed = int(words[1])
            assert words[:2] == ["reaped", str(pid)] and os.WIFSIGNALED(int(words[2])), (seed, kill, words)
            store = FileBondStore(path) if path.exists() else None
            if store is None:  # killed before its first save: only possible while nothing was committed
                assert committed == 0, (seed, kill)
                continue
            held = generation(store)
            assert store.get(CONSTANT) == constant_bond(), (seed, kill)
            if committed:
                assert held in (committed, committed + 1), (seed, kill, committed, held)
                assert store.get(generation_bond(held).peer) == generation_bond(held)
            committed = held or 0
    finally:
        writer.close()
    assert committed > 0, f"no update was ever committed in {KILLS} kills (seed {seed})"
    assert not list(tmp_path.glob("bonds.json.corrupt*")), "a load found the store corrupt"
    FileBondStore(path, stale_temp_age=0)  # the writer is gone: every temporary file left is an orphan
    assert [p.name for p in tmp_path.iterdir()] == ["bonds.json"], "temporary files of killed saves remain"
