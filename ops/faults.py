"""A test hook for the fault drills: pause a nightly run inside its load transaction, so a test can kill it there.

Set PLEDGEWATCH_TEST_PAUSE=load and `nightly` stops just before committing the articles and claims it has
written, logs a `test.paused` event, and sleeps until it is killed (at most ten minutes). Unset (always, in
normal use) `pause_before_commit` hands back the connection untouched and nothing here runs.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from ops.logs import event

ENV_VAR = "PLEDGEWATCH_TEST_PAUSE"
LONGEST_PAUSE = 600.0
logger = logging.getLogger(__name__)


def pause_before_commit(con: Any) -> Any:
    """`con` itself, or (with PLEDGEWATCH_TEST_PAUSE=load) a wrapper that pauses on its next COMMIT."""
    if os.environ.get(ENV_VAR) != "load":
        return con
    return _PausingConnection(con)


class _PausingConnection:
    """Passes everything to the DuckDB connection; a COMMIT first pauses, once."""

    def __init__(self, con: Any) -> None:
        self._con = con
        self._paused = False

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        if sql.strip().lower() == "commit":
            self._pause()
        return self._con.execute(sql, *args, **kwargs)

    def commit(self) -> Any:
        self._pause()
        return self._con.commit()

    def _pause(self) -> None:
        if self._paused:
            return
        self._paused = True
        event(logger, "test.paused", "test hook: paused before COMMIT of the load; waiting to be killed",
              level=logging.WARNING, point="load")  # fmt: skip
        time.sleep(LONGEST_PAUSE)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)
