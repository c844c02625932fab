"""Structured log lines: one JSON object per event, each carrying the run id, on stderr or in a log file.

A line looks like
    {"ts": "2025-08-01T03:00:04.120Z", "level": "info", "event": "crawl.done", "run_id": "20250801T030000Z-3fa2c1",
     "logger": "pledgewatch", "msg": "crawl: 16 articles, ...", "articles": 16, "failures": 1}
`event` names what happened (run.start, crawl.done, run.end, ...; "log" for an ordinary log line of a library),
`msg` says it in words, and the other keys are the event's fields. Write events with `event()`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The keys every JSON line starts with; an event's own fields never replace them.
BASE_KEYS = ("ts", "level", "event", "run_id", "logger", "msg")


def event(
    logger: logging.Logger, name: str, message: str, *args: Any, level: int = logging.INFO, **fields: Any
) -> None:
    """Log one event: a message for people and named fields for machines.

    Example: event(log, "crawl.done", "crawl: %d articles", 16, articles=16, failures=1)
    """
    logger.log(level, message, *args, extra={"event": name, "fields": fields})


class RunStamp(logging.Filter):
    """Puts the current run id on every record passing through the handlers it is attached to."""

    def __init__(self) -> None:
        super().__init__()
        self.run_id: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "run_id", None) is None:
            record.run_id = self.run_id
        return True


class QuietLibraries(logging.Filter):
    """Lets through our own records and the libraries' warnings and errors."""

    OWN = ("pledgewatch", "crawlers", "extract", "warehouse", "ops", "review")

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".", 1)[0] in self.OWN or record.levelno >= logging.WARNING


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (tracebacks included, as the `exc` field)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", "log"),
            "run_id": getattr(record, "run_id", None),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in (getattr(record, "fields", None) or {}).items():
            data.setdefault(key, value)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain format for a terminal, with the run id once a run has one."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        run_id = getattr(record, "run_id", None)
        return f"{line} [run {run_id}]" if run_id and getattr(record, "event", None) else line


class _OwnStreamHandler(logging.StreamHandler):
    """A handler `setup_logging` added: a second call replaces it instead of adding another."""


class _OwnFileHandler(logging.FileHandler):
    """A handler `setup_logging` added: a second call replaces it instead of adding another."""


def setup_logging(
    *, verbose: bool = False, fmt: str = "auto", log_file: Path | None = None, stream: TextIO | None = None
) -> RunStamp:
    """Send log records to stderr (JSON unless stderr is a terminal, or as `fmt` says) and, with `log_file`,
    as JSON lines to that file too; then stderr only gets warnings and errors. Returns the run-id stamp.

    Does nothing to a root logger someone else has set up (a test runner's), as logging.basicConfig would.
    """
    stamp = RunStamp()
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _OwnStreamHandler | _OwnFileHandler)]
    if root.handlers and not ours:
        return stamp
    for handler in ours:
        root.removeHandler(handler)
        handler.close()
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "text" if stream.isatty() else "json"
    level = logging.DEBUG if verbose else logging.INFO
    console = _OwnStreamHandler(stream)
    console.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    console.setLevel(logging.WARNING if log_file else level)
    handlers: list[logging.Handler] = [console]
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file = _OwnFileHandler(log_file, encoding="utf-8")
        file.setFormatter(JsonFormatter())
        file.setLevel(level)
        handlers.append(file)
    for handler in handlers:
        handler.addFilter(stamp)
        if not verbose:  # Scrapy and the HTML libraries report their own progress at INFO
            handler.addFilter(QuietLibraries())
        root.addHandler(handler)
    root.setLevel(level)
    return stamp
