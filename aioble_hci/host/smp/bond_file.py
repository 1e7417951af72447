"""The bond file: the JSON form of a :class:`~aioble_hci.smp.bonds.BondStore`, written atomically.

A write goes to a temporary file in the same directory (mode 0600), is flushed and fsynced, then
``os.replace``-d over the store and the directory is fsynced: a crash at any point leaves either
the old file or the new one, never a mix. A corrupt file is never thrown away: it is copied to
``<path>.corrupt`` (or ``.corrupt.N``), reported with a logged error, and the store starts from what
could be read.

The host keeps its store with ``background=True``: a change made on the host loop (in the middle
of a pairing) hands a snapshot to :class:`BondWriter`, which writes it on its own thread, so the
loop never waits for fsync. Tools and tests use the default, where a change is on disk when
:meth:`FileBondStore.put` returns. The clock (for the age of stale temporary files) is injected.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aioble_hci.smp.bonds import BondStore

log = logging.getLogger(__name__)

STALE_TEMP_AGE = 60.0
"""Seconds after which a temporary file of a save is an orphan (a save takes milliseconds)."""

Snapshot = dict[str, Any]


class BondWriter:
    """Writes bond-store snapshots in order on one writer thread, never on the caller's.

    Each snapshot is the whole store, so a snapshot still waiting when a newer one arrives is
    skipped (the newer one holds it). The thread is not a daemon and ends when nothing is left
    to write: the interpreter waits for a write in progress at exit instead of losing it.
    """

    def __init__(self, save: Callable[[Snapshot], None], name: str = "bond-writer") -> None:
        self._save = save
        self._name = name
        self._cond = threading.Condition()
        self._pending: Snapshot | None = None
        self._submitted = 0
        self._written = 0
        self._thread: threading.Thread | None = None

    def submit(self, snapshot: Snapshot) -> None:
        """Queue ``snapshot`` for writing and return at once."""
        with self._cond:
            self._pending = snapshot
            self._submitted += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name)
                self._thread.start()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every snapshot submitted so far is written (or failed); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._written >= self._submitted, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                snapshot, self._pending = self._pending, None
                upto = self._submitted
                if snapshot is None:
                    self._thread = None
                    return
            try:
                self._save(snapshot)
            except Exception:  # the host keeps running: the bonds are still in memory
                log.exception("could not save the bond store")
            with self._cond:
                self._written = upto
                self._cond.notify_all()


class FileBondStore(BondStore):
    """A :class:`BondStore` kept in a JSON file at ``path``, loaded at construction.

    A save writes ``.<name>.<random>.tmp`` beside the file then renames it; a process killed
    mid-save leaves that temporary file behind, and :meth:`load` removes such orphans once they
    are ``stale_temp_age`` seconds old by ``clock`` (younger ones may belong to another store
    saving now). ``background`` saves on a :class:`BondWriter` thread (see the module).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        stale_temp_age: float = STALE_TEMP_AGE,
        clock: Callable[[], float] = time.time,
        background: bool = False,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.stale_temp_age = stale_temp_age
        self._clock = clock
        self._writer = BondWriter(self._write, f"bond-writer {self.path.name}") if background else None
        self.load()

    def _changed(self) -> None:
        snapshot = self.to_json()
        if self._writer is None:
            self._write(snapshot)
        else:
            self._writer.submit(snapshot)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every change so far is on disk (immediate without ``background``)."""
        return True if self._writer is None else self._writer.flush(timeout)

    def save(self) -> None:
        """Write the store now, on the calling thread."""
        self._write(self.to_json())

    # -- loading ---------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the file; a missing file is an empty store, a corrupt one is kept aside.

        Stale temporary files of interrupted saves are removed first (never the live file).
        """
        self.replace_all(())
        self.remove_stale_temporary_files()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            log.info("no bond store at %s yet: starting empty", self.path)
            return
        try:
            bonds, bad = self.bonds_from_json(json.loads(text))
        except (ValueError, KeyError, TypeError) as error:
            kept = self._keep_corrupt_copy()
            log.error(
                "bond store %s is corrupt (%s): kept a copy at %s and started empty; "
                "pair again or restore the bonds from the copy",
                self.path,
                error,
                kept,
            )
            return
        for key, reason in bad:
            log.error("bond %s in %s is unreadable (%s): skipped", key, self.path, reason)
        self.replace_all(bonds)
        if bad:
            kept = self._keep_corrupt_copy()
            log.error("kept the original bond store %s at %s", self.path, kept)

    def _temporary_file_pattern(self) -> re.Pattern[str]:
        """Names :meth:`save` gives its temporary files (``tempfile.mkstemp``: 8 random characters)."""
        return re.compile(re.escape(f".{self.path.name}.") + r"[A-Za-z0-9_]{8}" + re.escape(".tmp"))

    def remove_stale_temporary_files(self) -> list[Path]:
        """Delete this store's orphaned temporary files older than ``stale_temp_age``; returns them."""
        directory = self.path.parent
        try:
            names = os.listdir(directory)
        except OSError:
            return []
        pattern = self._temporary_file_pattern()
        cutoff = self._clock() - self.stale_temp_age
        removed: list[Path] = []
        for name in names:
            if not pattern.fullmatch(name):
                continue
            candidate = directory / name
            try:
                if candidate.is_symlink() or not candidate.is_file() or candidate.stat().st_mtime > cutoff:
                    continue
                candidate.unlink()
            except OSError as error:
                log.debug("could not remove stale bond store temporary file %s: %s", candidate, error)
                continue
            removed.append(candidate)
        if removed:
            log.info("removed %d stale temporary file(s) of interrupted saves of %s", len(removed), self.path)
        return removed

    # -- saving ----------------------------------------------------------------------------------
    def _write(self, payload: Snapshot) -> None:
        """Write atomically: temp file in the same directory, fsync, replace, fsync directory."""
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=2)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            try:
                os.unlink(temp_name)
            except FileNotFoundError:
                pass
            raise
        _fsync_directory(directory)

    def _keep_corrupt_copy(self) -> Path:
        target = self.path.with_name(self.path.name + ".corrupt")
        n = 0
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.corrupt.{n}")
        shutil.copy2(self.path, target)
        os.chmod(target, 0o600)
        return target


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
