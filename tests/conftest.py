"""Shared test helpers: where the repository and the shared evaluation material live."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BIN = Path(sys.executable).parent


def run_cli(
    *args: str, env: dict | None = None, timeout: int = 600, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the real `pledgewatch` console script in a subprocess (Scrapy's reactor starts once per process)."""
    # the tests name their warehouse with --db; a PLEDGEWATCH_DB of the caller's shell must not leak in
    full_env = {k: v for k, v in os.environ.items() if k != "PLEDGEWATCH_DB"} | (env or {})
    return subprocess.run(
        [str(BIN / "pledgewatch"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=cwd,
    )


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared evaluation and fixture folder beside the repository; tests using it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


def query_rows(db: Path, sql: str, params=()) -> list[tuple]:
    """Rows of one query on a short read-only connection to the warehouse file `db`."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()
