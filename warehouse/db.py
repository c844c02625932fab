"""Open the DuckDB warehouse, bring its schema up to date, and turn lock conflicts into clear errors."""

from __future__ import annotations

import hashlib
import time
from importlib import resources
from pathlib import Path

import duckdb

SQL_DIR = resources.files("warehouse") / "sql"


class WarehouseBusy(RuntimeError):
    """Raised by `connect` when another process holds the warehouse for longer than we wait."""


class WarehouseError(RuntimeError):
    """Raised by `connect` when the file cannot be opened as a DuckDB warehouse."""


def _read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def view_files() -> list[str]:
    """The view definitions, one view per file, in name order."""
    views = SQL_DIR / "views"
    return sorted(f"views/{p.name}" for p in views.iterdir() if p.name.endswith(".sql"))


def migration_files() -> list[tuple[int, str]]:
    """The numbered migrations, (version, file name), in order."""
    found = []
    for path in (SQL_DIR / "migrations").iterdir():
        if path.name.endswith(".sql") and path.name[:4].isdigit():
            found.append((int(path.name[:4]), path.name))
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Bring the warehouse to this version's schema; safe on every open. Returns the migrations applied.

    A new warehouse is created from schema.sql and marked as having every migration. An existing one gets
    its pending migrations, in order, each in its own transaction, then schema.sql (idempotent) adds what
    is new and refreshes the documentation. Macros and views are recreated every time.
    """
    digest = _sql_digest()
    try:
        rows = con.execute("select value from warehouse_meta where key = 'sql_digest'").fetchall()
    except duckdb.CatalogException:
        rows = []
    stored = rows[0] if rows else None
    if stored and stored[0] == digest:
        return []  # already at this version's schema, macros and views: opening stays cheap
    fresh = not con.execute(
        "select count(*) from duckdb_tables() where table_name = 'articles' and database_name = current_database()"
    ).fetchall()[0][0]
    applied: list[str] = []
    if fresh:
        con.execute(_read_sql("schema.sql"))
        con.executemany(
            "insert or ignore into schema_migrations values (?, ?, now())",
            [list(m) for m in migration_files()],
        )
    else:
        con.execute(
            "create table if not exists schema_migrations (version integer primary key, name varchar not null, "
            "applied_at timestamptz not null)"
        )
        done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
        for version, name in migration_files():
            if version in done:
                continue
            con.execute("begin transaction")
            try:
                con.execute(_read_sql(f"migrations/{name}"))
                con.execute("insert into schema_migrations values (?, ?, now())", [version, name])
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            applied.append(name)
        con.execute(_read_sql("schema.sql"))
    con.execute(_read_sql("macros.sql"))
    pending = view_files()
    # Views may depend on each other; create them in passes until all exist.
    while pending:
        failed = []
        for name in pending:
            try:
                con.execute(_read_sql(name))
            except duckdb.CatalogException:
                failed.append(name)
        if len(failed) == len(pending):
            con.execute(_read_sql(failed[0]))  # raises the real error
        pending = failed
    con.execute("insert or replace into warehouse_meta values ('sql_digest', ?)", [digest])
    return applied


def _sql_digest() -> str:
    """A fingerprint of every SQL file this version runs on open."""
    names = ["schema.sql", "macros.sql", *view_files(), *(f"migrations/{n}" for _, n in migration_files())]
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + _read_sql(name).encode() + b"\0")
    return digest.hexdigest()


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    wait_seconds: float = 30.0,
    on_wait=None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (creating it and its folder when missing) and migrate it.

    DuckDB admits one writing process; when another holds the file we retry with backoff for
    `wait_seconds`, calling `on_wait(message)` once, then raise WarehouseBusy.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise WarehouseError(
            f"{path}: no warehouse here yet; run 'pledgewatch nightly' or 'pledgewatch ingest' first"
        )
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    told = False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as error:
            if not _is_lock_error(error):
                raise WarehouseError(
                    f"{path}: cannot open the warehouse: {str(error).splitlines()[0]}"
                ) from error
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path} is locked by another process; waited {wait_seconds:.0f}s. "
                    "Retry when it has finished (DuckDB allows one writer at a time)."
                ) from error
            if on_wait and not told:
                on_wait(f"{path} is locked by another process; waiting up to {wait_seconds:.0f}s")
                told = True
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
        except duckdb.Error as error:
            raise WarehouseError(f"{path}: not a DuckDB warehouse ({str(error).splitlines()[0]})") from error
    if not read_only:
        migrate(con)
    return con
