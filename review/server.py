"""Start the review app under uvicorn: localhost by default; any other address only with an access token.

The app answers to the Host names localhost, 127.0.0.1, [::1], the `--host` it listens on, and the names in
PLEDGEWATCH_REVIEW_HOSTS (comma-separated: the public name of a reverse proxy in front of it). Behind a TLS
proxy, set PLEDGEWATCH_REVIEW_BEHIND_PROXY=1 so the X-Forwarded-Proto and X-Forwarded-For headers of the
proxy (from the addresses in uvicorn's FORWARDED_ALLOW_IPS, 127.0.0.1 by default) are believed and the
cookies are marked Secure; without it those headers are ignored.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import os
from pathlib import Path

from review.app import ReviewConfig, create_app
from warehouse.db import WarehouseBusy, WarehouseError, connect

log = logging.getLogger(__name__)

TOKEN_ENV = "PLEDGEWATCH_REVIEW_TOKEN"
HOSTS_ENV = "PLEDGEWATCH_REVIEW_HOSTS"
PROXY_ENV = "PLEDGEWATCH_REVIEW_BEHIND_PROXY"
MIN_TOKEN = 16


class ServeRefused(RuntimeError):
    """Raised by `check` when the server must not start as configured (exit status 2)."""


class ServeError(RuntimeError):
    """Raised by `prepare` when the warehouse cannot be served (no warehouse yet, or busy for too long)."""


def is_loopback(host: str) -> bool:
    """Whether `host` is only reachable from this machine (localhost, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without an access token, or with a short one."""
    if token is not None and len(token) < MIN_TOKEN:
        raise ServeRefused(f"{TOKEN_ENV} is shorter than {MIN_TOKEN} characters; set a longer random token")
    if not is_loopback(host) and not token:
        raise ServeRefused(
            f"refusing to serve on {host} without an access token: set {TOKEN_ENV} "
            "(e.g. export PLEDGEWATCH_REVIEW_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(24))'))"
        )


def prepare(db: Path, lock_wait: float) -> None:
    """Bring the warehouse's schema and views up to this version once, before serving it read-only."""
    if not Path(db).exists():
        raise ServeError(
            f"{db}: no warehouse here yet; run 'pledgewatch nightly' or 'pledgewatch ingest' first"
        )
    try:
        connect(db, wait_seconds=lock_wait, on_wait=log.warning).close()
    except (WarehouseBusy, WarehouseError) as error:
        raise ServeError(str(error)) from None


def serve(config: ReviewConfig, host: str, port: int, lock_wait: float = 60.0) -> None:
    """Check, prepare and run the review server until interrupted."""
    import uvicorn

    check(host, config.access_token)
    prepare(config.db, lock_wait)
    config = dataclasses.replace(config, allowed_hosts=(*config.allowed_hosts, *served_hosts(host)))
    behind_proxy = os.environ.get(PROXY_ENV, "").strip().lower() in ("1", "true", "yes")
    shown = f"[{host}]" if ":" in host else host
    log.info(
        "review page on http://%s:%d/ (warehouse %s, archive %s)", shown, port, config.db, config.archive_dir
    )
    if not is_loopback(host) and not behind_proxy:
        log.warning(
            "serving on %s without TLS: put it behind a reverse proxy that terminates https and set %s=1",
            host, PROXY_ENV,
        )  # fmt: skip
    uvicorn.run(
        create_app(config), host=host, port=port, log_level="warning", access_log=False,
        proxy_headers=behind_proxy,
    )  # fmt: skip


def served_hosts(host: str) -> tuple[str, ...]:
    """The Host names to answer to besides localhost's: `host` itself and those in PLEDGEWATCH_REVIEW_HOSTS."""
    names = [host, *(name for name in os.environ.get(HOSTS_ENV, "").split(",") if name.strip())]
    return tuple(name.strip() for name in names)
