"""Analysts' named queries (sql/queries/NAME.sql) and ad-hoc SQL, with bound parameters only."""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from warehouse.db import SQL_DIR

QUERIES_DIR = SQL_DIR / "queries"
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)", re.IGNORECASE)
_DEFAULT = re.compile(r"^--\s*param\s+([a-z_][a-z0-9_]*)\s*(?:=\s*(.*?))?\s*(?::\s*(.*))?$", re.IGNORECASE)


class QueryError(ValueError):
    """Raised for an unknown query name or a missing parameter."""


def list_queries() -> dict[str, str]:
    """Name -> the description line each query opens with."""
    found = {}
    for path in sorted(QUERIES_DIR.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".sql"):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            found[path.name[:-4]] = first.lstrip("- ").split(":", 1)[-1].strip()
    return found


def query_text(name: str) -> str:
    """The SQL text of a named query."""
    if name not in list_queries():
        known = ", ".join(list_queries())
        raise QueryError(f"no query named {name!r}; known queries: {known}")
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def query_defaults(sql: str) -> dict[str, str | None]:
    """Parameters a query declares in `-- param NAME = default : help` lines."""
    defaults = {}
    for line in sql.splitlines():
        m = _DEFAULT.match(line.strip())
        if m:
            defaults[m.group(1)] = m.group(2) if m.group(2) not in (None, "", "null") else None
    return defaults


def bind(sql: str, params: dict[str, str] | None = None) -> dict[str, str | None]:
    """The values for a query's parameters: the given ones over its declared defaults; unknown names refused."""
    params = dict(params or {})
    wanted = set(_PARAM.findall(_strip_comments(sql)))
    values = {**query_defaults(sql), **params}
    unknown = set(params) - wanted
    if unknown:
        raise QueryError(
            f"unknown parameter(s) {', '.join(sorted(unknown))}; this query takes: {', '.join(sorted(wanted)) or 'none'}"
        )
    return {name: values.get(name) for name in wanted}


def run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, str] | None = None):
    """Run SQL with named parameters bound (never formatted in); returns (columns, rows)."""
    bound = bind(sql, params)
    cursor = con.execute(sql, bound) if bound else con.execute(sql)
    columns = [d[0] for d in cursor.description] if cursor.description else []
    return columns, cursor.fetchall()


def run_arrow(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, str] | None = None) -> pa.Table:
    """Run SQL with named parameters bound; returns the result as an Arrow table (no Python objects per row)."""
    bound = bind(sql, params)
    relation = con.sql(sql, params=bound) if bound else con.sql(sql)
    return relation.to_arrow_table() if relation is not None else pa.table({})


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
