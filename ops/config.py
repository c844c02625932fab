"""pledgewatch.toml: a deployment's settings in one file, checked when a command starts.

The file is found by `--config FILE`, else the PLEDGEWATCH_CONFIG environment variable, else
./pledgewatch.toml when there is one. A command-line option beats its environment variable, which beats
the file, which beats the built-in default. Relative paths in the file are relative to the file's folder.

    [crawl]
    outlets = ["pbs", "guardian"]        # what nightly crawls (names from crawlers/outlets.py)
    topics = '"investment pledge" AND Japan'   # the Guardian Content API search
    contact = "mailto:desk@example.org"  # in the crawler's User-Agent
    since_days = 3                       # skip feed items older than this
    max_articles = 200                   # per outlet and run
    [crawl.feeds]                        # replace an outlet's feeds (a mirror)
    pbs = ["https://www.pbs.org/newshour/feeds/rss/politics"]
    [crawl.scrapy]                       # Scrapy settings by name: politeness, timeouts, retries
    DOWNLOAD_DELAY = 2
    [warehouse]
    path = "data/pledgewatch.duckdb"
    archive = "data/archive"
    lock_wait = 60
    [extract]
    model = "en_core_web_sm"
    [log]
    file = "logs/nightly.jsonl"
    [review]
    organisation = "Example Fact Check"
    organisation_url = "https://factcheck.example.org"

API keys, tokens and passwords are read from the environment only (GUARDIAN_API_KEY): a key in the file
that looks like one is an error, so a secret never ends up in a file that is copied around.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from crawlers.outlets import OUTLETS

FILE_NAME = "pledgewatch.toml"
ENV_VAR = "PLEDGEWATCH_CONFIG"
SECRET_KEY = re.compile(r"api[_-]?key|secret|token|passw(or)?d|credential", re.IGNORECASE)
# Scrapy settings the file must not set through crawl.scrapy, and the key that sets each instead.
RESERVED_SCRAPY = {
    "USER_AGENT": "crawl.contact",
    "PLEDGEWATCH_TOPICS": "crawl.topics",
    "PLEDGEWATCH_FEEDS": "crawl.feeds",
    "PLEDGEWATCH_ARCHIVE": "warehouse.archive",
    "PLEDGEWATCH_REPLAY": "the --replay option",
    "LOG_LEVEL": "the -v option",
}


class ConfigError(ValueError):
    """Raised by `load_config` and `parse_config` when the file cannot be read or a value is wrong."""


@dataclass(frozen=True)
class Config:
    """What a configuration file says; None (or empty) where it says nothing, so the defaults apply."""

    path: Path | None = None
    outlets: tuple[str, ...] | None = None
    topics: str | None = None
    contact: str | None = None
    since_days: int | None = None
    max_articles: int | None = None
    feeds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    scrapy: Mapping[str, Any] = field(default_factory=dict)
    db: str | None = None
    archive: str | None = None
    lock_wait: float | None = None
    model: str | None = None
    log_file: str | None = None
    review_organisation: str | None = None
    review_organisation_url: str | None = None

    def crawl_overrides(self, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Scrapy settings this file asks for; an environment variable that is set wins over the file."""
        from crawlers.settings import user_agent

        environ = os.environ if environ is None else environ
        overrides: dict[str, Any] = dict(self.scrapy)
        if self.contact and not environ.get("PLEDGEWATCH_CONTACT"):
            overrides["USER_AGENT"] = user_agent(self.contact)
        if self.topics and not environ.get("PLEDGEWATCH_TOPICS"):
            overrides["PLEDGEWATCH_TOPICS"] = self.topics
        if self.feeds:
            overrides["PLEDGEWATCH_FEEDS"] = {name: list(urls) for name, urls in self.feeds.items()}
        return overrides


def find_config(
    option: str | None, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> tuple[Path | None, str]:
    """The configuration file to read and what named it: --config, PLEDGEWATCH_CONFIG or ./pledgewatch.toml."""
    environ = os.environ if environ is None else environ
    if option:
        return Path(option), "--config"
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR]), ENV_VAR
    local = (cwd or Path.cwd()) / FILE_NAME
    return (local, f"./{FILE_NAME}") if local.is_file() else (None, "")


def load_config(path: Path, named_by: str = "") -> Config:
    """Read and check one configuration file.

    Example: load_config(Path("pledgewatch.toml")).outlets  # ("pbs", "guardian")
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        why = error.strerror or str(error)
        raise ConfigError(f"{path}: cannot read the configuration file ({why}){_by(named_by)}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the configuration file is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    try:
        return parse_config(data, base=path.resolve().parent, path=path)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None


def _by(named_by: str) -> str:
    return f"; it was named by {named_by}" if named_by else ""


# --- checking values ---------------------------------------------------------------------------------------

Check = Callable[[Any, str, Path], Any]  # (value, dotted key, base folder) -> the value to keep


def _kind(value: Any) -> str:
    """The TOML name of a value's type, for messages."""
    kinds = [(bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"), (list, "array"),
             (dict, "table"), (datetime, "date-time"), (date, "date"), (time, "time")]  # fmt: skip
    return next((name for cls, name in kinds if isinstance(value, cls)), type(value).__name__)


def _got(value: Any) -> str:
    shown = repr(value) if not isinstance(value, dict) else "a table"
    return f"got {shown if len(shown) <= 60 else shown[:57] + '...'} ({_kind(value)})"


def _text(value: Any, key: str, base: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key}: expected a non-empty string, {_got(value)}")
    return value.strip()


def _url(value: Any, key: str, base: Path) -> str:
    if not isinstance(value, str) or not re.match(r"https?://[^\s/]+", value):
        raise ConfigError(f"{key}: expected an http:// or https:// URL, {_got(value)}")
    return value


def _contact(value: Any, key: str, base: Path) -> str:
    if isinstance(value, str) and (
        re.match(r"(https?://|mailto:)\S+$", value) or re.match(r"[^@\s]+@[^@\s]+$", value)
    ):
        return value
    raise ConfigError(f"{key}: expected a URL or an e-mail address to reach you, {_got(value)}")


def _path(value: Any, key: str, base: Path) -> str:
    text = _text(value, key, base)
    path = Path(os.path.expanduser(text))
    return os.path.normpath(path if path.is_absolute() else base / path)


def _whole(minimum: int) -> Check:
    def check(value: Any, key: str, base: Path) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(f"{key}: expected a whole number >= {minimum}, {_got(value)}")
        return value

    return check


def _seconds(value: Any, key: str, base: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{key}: expected a number of seconds >= 0, {_got(value)}")
    return float(value)


def _outlet(name: Any, key: str) -> str:
    if name not in OUTLETS:
        raise ConfigError(f"{key}: unknown outlet {name!r}; expected one of {', '.join(OUTLETS)}")
    return name


def _outlets(value: Any, key: str, base: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(
            f"{key}: expected a non-empty array of outlet names ({', '.join(OUTLETS)}), {_got(value)}"
        )
    names = tuple(_outlet(name, f"{key}[{i}]") for i, name in enumerate(value))
    return tuple(dict.fromkeys(names))


def _feeds(value: Any, key: str, base: Path) -> dict[str, tuple[str, ...]]:
    table = _table(value, key)
    feeds = {}
    for name, urls in table.items():
        _outlet(name, f"{key}.{name}")
        if not isinstance(urls, list) or not urls:
            raise ConfigError(f"{key}.{name}: expected a non-empty array of feed URLs, {_got(urls)}")
        feeds[name] = tuple(_url(url, f"{key}.{name}[{i}]", base) for i, url in enumerate(urls))
    return feeds


def _scrapy(value: Any, key: str, base: Path) -> dict[str, Any]:
    """Scrapy settings by name, each checked against the type of its default."""
    from scrapy.settings import default_settings

    import crawlers.settings as ours

    known = {n: getattr(m, n) for m in (default_settings, ours) for n in dir(m) if n.isupper()}
    settings = {}
    for name, setting in _table(value, key).items():
        where = f"{key}.{name}"
        if name in RESERVED_SCRAPY:
            raise ConfigError(f"{where}: set by pledgewatch; use {RESERVED_SCRAPY[name]} instead")
        if name not in known:
            raise ConfigError(
                f"{where}: not a Scrapy setting; expected a setting name such as DOWNLOAD_DELAY, "
                "DOWNLOAD_TIMEOUT, RETRY_TIMES or AUTOTHROTTLE_ENABLED"
            )
        settings[name] = _like(known[name], setting, where)
    return settings


def _like(default: Any, value: Any, key: str) -> Any:
    """`value` when it has the type of the setting's `default` (numbers are interchangeable)."""
    if isinstance(default, bool):
        ok, expected = isinstance(value, bool), "true or false"
    elif isinstance(default, int | float):
        ok, expected = isinstance(value, int | float) and not isinstance(value, bool), "a number"
    elif isinstance(default, str):
        ok, expected = isinstance(value, str), "a string"
    elif isinstance(default, list | tuple):
        ok, expected = isinstance(value, list), "an array"
    elif isinstance(default, dict):
        ok, expected = isinstance(value, dict), "a table"
    else:
        ok, expected = (
            not isinstance(value, dict | datetime | date | time),
            "a string, number, boolean or array",
        )
    if not ok:
        raise ConfigError(f"{key}: expected {expected}, {_got(value)}")
    return value


def _table(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table ([{key}]), {_got(value)}")
    return value


# Every key the file may hold: section -> key -> (check, the Config field it fills).
SCHEMA: dict[str, dict[str, tuple[Check, str]]] = {
    "crawl": {
        "outlets": (_outlets, "outlets"),
        "topics": (_text, "topics"),
        "contact": (_contact, "contact"),
        "since_days": (_whole(1), "since_days"),
        "max_articles": (_whole(1), "max_articles"),
        "feeds": (_feeds, "feeds"),
        "scrapy": (_scrapy, "scrapy"),
    },
    "warehouse": {
        "path": (_path, "db"),
        "archive": (_path, "archive"),
        "lock_wait": (_seconds, "lock_wait"),
    },
    "extract": {"model": (_text, "model")},
    "log": {"file": (_path, "log_file")},
    "review": {
        "organisation": (_text, "review_organisation"),
        "organisation_url": (_url, "review_organisation_url"),
    },
}


def parse_config(data: Mapping[str, Any], *, base: Path | None = None, path: Path | None = None) -> Config:
    """Check a parsed TOML document against SCHEMA; the error names the key and what it expects."""
    base = base or Path.cwd()
    _refuse_secrets(data, "")
    values: dict[str, Any] = {}
    for section, table in data.items():
        if section not in SCHEMA:
            raise ConfigError(_unknown(section, "", list(SCHEMA), table))
        if not isinstance(table, dict):
            raise ConfigError(f"{section}: expected a table ([{section}]), {_got(table)}")
        for key, value in table.items():
            if key not in SCHEMA[section]:
                raise ConfigError(_unknown(key, section, list(SCHEMA[section]), value))
            check, name = SCHEMA[section][key]
            values[name] = check(value, f"{section}.{key}", base)
    return Config(path=path, **values)


def _unknown(key: str, section: str, expected: list[str], value: Any) -> str:
    where = f"{section}.{key}" if section else key
    if not section:
        home = next((s for s, keys in SCHEMA.items() if key in keys), None)
        hint = f" (did you mean {home}.{key}, under [{home}]?)" if home else ""
        return f"{where}: unknown section{hint}; expected one of {', '.join(f'[{s}]' for s in expected)}"
    return f"{where}: unknown key; expected one of {', '.join(expected)}"


def _refuse_secrets(data: Mapping[str, Any], prefix: str) -> None:
    for key, value in data.items():
        where = f"{prefix}.{key}" if prefix else key
        if SECRET_KEY.search(key):
            variable = "GUARDIAN_API_KEY" if "guardian" in where.lower() else "an environment variable"
            raise ConfigError(
                f"{where}: API keys and other secrets are read from the environment only, never from this "
                f"file; remove the key and set {variable} instead (a systemd EnvironmentFile or the crontab)"
            )
        if isinstance(value, dict):
            _refuse_secrets(value, where)
