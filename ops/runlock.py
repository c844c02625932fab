"""One nightly run at a time per warehouse: an flock on `<warehouse>.nightly.lock`.

The kernel drops an flock when its process dies, however it dies (SIGKILL, OOM, a reboot), so a killed run
never leaves a stale lock behind. The file itself stays; while a run holds it, it says which run (JSON: run
id, pid, start, phase), which is what a second run and `pledgewatch status` report.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any


class RunLocked(RuntimeError):
    """Raised by `RunLock.acquire` when another run holds the lock; the message names that run."""


def lock_path(db: str | Path) -> Path:
    """The lock file beside the warehouse file."""
    db = Path(db).resolve()
    return db.with_name(db.name + ".nightly.lock")


def describe(holder: dict[str, Any]) -> str:
    """'run R, pid P, started T, loading' for a holder record."""
    parts = [f"run {holder.get('run_id', '?')}", f"pid {holder.get('pid', '?')}"]
    if holder.get("started_at"):
        parts.append(f"started {holder['started_at']}")
    if holder.get("phase"):
        parts.append(holder["phase"])
    return ", ".join(parts)


def read_holder(db: str | Path) -> dict[str, Any] | None:
    """What the lock file says about the run holding it, or None when no live process holds it.

    Reads without locking (taking the lock to look would make a nightly run starting at that instant exit).
    """
    return _read_note(lock_path(db))


def _read_note(path: Path) -> dict[str, Any] | None:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    if not isinstance(holder, dict) or not _alive(holder.get("pid")):
        return None  # a run that was killed leaves its note behind, but no process
    return holder


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """The nightly run lock of one warehouse; use `with RunLock(db, run_id):` or acquire()/release()."""

    def __init__(self, db: str | Path, run_id: str, started_at: datetime | None = None) -> None:
        self.path = lock_path(db)
        self.note_data = {
            "run_id": run_id,
            "pid": os.getpid(),
            "started_at": (started_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        }
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock at once or raise RunLocked naming the run that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _read_note(self.path)
            who = f" ({describe(holder)})" if holder else ""
            raise RunLocked(
                f"another nightly run is in progress on this warehouse{who}; this run exits without doing "
                f"anything (lock file {self.path})"
            ) from None
        self._fd = fd
        self.note()
        return self

    def note(self, **fields: Any) -> None:
        """Record fields (such as phase="loading") in the lock file for others to read."""
        if self._fd is None:
            return
        self.note_data.update(fields)
        data = json.dumps(self.note_data).encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def release(self) -> None:
        """Empty the note and drop the lock (the file stays: removing it would race with the next run)."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
