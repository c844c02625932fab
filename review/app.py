"""The review web app: the queue of flags, one flag with both sides' evidence and its decisions, and the
archived copy of each article, rendered on the server with Jinja2 (autoescaped; no JavaScript).

Every request opens the warehouse briefly and closes it (read-only unless it records a decision), so the
nightly job can load in between; when it holds the file longer than `busy_wait`, the page says so.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

import duckdb
import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from review.highlight import CueFinder, highlight
from review.security import ACCESS_COOKIE, ACCESS_MAX_AGE, CSRF_FIELD, SESSION_COOKIE, Guard, same_origin
from review.warc import ArchiveMissing, ArchiveReader
from warehouse import reviews
from warehouse.db import WarehouseBusy, WarehouseError, connect

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
HEX_ID = re.compile(r"^[0-9a-f]{16}$")  # flag_id and article_id: 16 hex digits
DEAL = re.compile(r"^([A-Z]{2,3})-([A-Z]{2,3})$")
REVIEWER_COOKIE = "pw_reviewer"
MAX_PAGE = 100_000
MAX_BODY = 64 * 1024  # a form with a 5000-character note fits many times over
# the Host names every server answers to (DNS rebinding: a page on another name that resolves here is refused)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
EVIDENCE_FIELDS = ("us_canonical_claim_id", "other_canonical_claim_id")

# Our own pages load nothing from elsewhere and run no script; the archived copies are sandboxed harder.
PAGE_CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on our own form POSTs
PAGE_REFERRER_POLICY = "same-origin"
ARCHIVE_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
)
SIDE_LABELS = {"us": "US side", "partner": "Partner side", "third_party": "Third party", "author": "Author"}


@dataclass(frozen=True)
class ReviewConfig:
    """What the app needs: the warehouse, the archive folder, how long to wait for a busy warehouse, the
    access token (None: no sign-in), the spaCy model for stance and control cues, the Host names it answers
    to besides localhost (the `--host` it listens on, a proxy's public name) and how long a sign-in lasts."""

    db: Path
    archive_dir: Path
    busy_wait: float = 5.0
    access_token: str | None = None
    model: str | None = None
    per_page: int = 25
    allowed_hosts: tuple[str, ...] = ()
    access_max_age: int = ACCESS_MAX_AGE


class Warehouse:
    """Short-lived connections to the warehouse, one at a time in this process.

    DuckDB refuses a read-only and a read-write connection to one file in the same process at once, and
    other processes wait for whichever we hold, so each request opens, uses and closes its own.
    """

    def __init__(self, path: Path, busy_wait: float) -> None:
        self.path = path
        self.busy_wait = busy_wait
        self._lock = threading.Lock()

    @contextmanager
    def _open(self, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            con = connect(self.path, read_only=read_only, wait_seconds=self.busy_wait)
            try:
                yield con
            finally:
                con.close()

    def reading(self):
        """A read-only connection for the length of a `with` block."""
        return self._open(True)

    def writing(self):
        """A read-write connection for the length of a `with` block."""
        return self._open(False)


# --- template helpers -----------------------------------------------------------------------------------


def _day(value) -> str:
    if value is None or value == "":
        return "no date"
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def _stamp(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z").strip()
    return str(value)


def _money(amount, currency=None) -> str:
    if amount is None:
        return "no amount"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(amount) >= size:
            number = f"{amount / size:.2f}".rstrip("0").rstrip(".")
            return f"{currency or ''} {number} {word}".strip()
    return f"{currency or ''} {amount:,.0f}".strip()


def _is_web_url(value) -> bool:
    # only http(s) URLs become links: a page's canonical URL could be javascript: or data:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # always, whatever a template's name: article text must never become markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(day=_day, stamp=_stamp, money=_money)
    env.tests["web_url"] = _is_web_url
    env.globals.update(side_labels=SIDE_LABELS, decisions=reviews.DECISIONS)
    return env


# --- request parsing ------------------------------------------------------------------------------------


class BadRequest(HTTPException):
    """A user's mistake in a query string or form: 400 with one line saying what to fix."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


def _one_of(params, name: str, choices, default: str | None = None) -> str | None:
    value = (params.get(name) or "").strip() or default
    if value is not None and value not in choices:
        raise BadRequest(f"{name}={value!r} is not one of: {', '.join(choices)}")
    return value


def _date(params, name: str) -> date | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise BadRequest(f"{name}={value!r} is not a date; write it as YYYY-MM-DD")


def parse_queue_query(params, per_page: int) -> tuple[reviews.QueueQuery, dict[str, str]]:
    """The queue's filters from a query string, and the same filters as clean parameters for links."""
    status = _one_of(params, "status", reviews.QUEUE_STATUSES, "open")
    kind = _one_of(params, "kind", reviews.KINDS)
    sort = _one_of(params, "sort", tuple(reviews.SORTS), "newest")
    deal = (params.get("deal") or "").strip() or None
    pledger = recipient = None
    if deal is not None:
        match = DEAL.match(deal)
        if not match:
            raise BadRequest(f"deal={deal!r} is not a deal; write it as PLEDGER-RECIPIENT, e.g. JPN-USA")
        pledger, recipient = match.groups()
    outlet = (params.get("outlet") or "").strip() or None
    if outlet is not None and len(outlet) > 200:
        raise BadRequest("outlet is longer than 200 characters")
    published_from, published_to = _date(params, "from"), _date(params, "to")
    if published_from and published_to and published_from > published_to:
        raise BadRequest(f"from={published_from} is after to={published_to}")
    raw_page = (params.get("page") or "1").strip()
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise BadRequest(f"page={raw_page!r} is not a page number (1 to {MAX_PAGE})")
    query = reviews.QueueQuery(
        status=status, kind=kind, pledger=pledger, recipient=recipient, outlet=outlet,
        published_from=published_from, published_to=published_to, sort=sort, page=int(raw_page),
        per_page=per_page,
    )  # fmt: skip
    clean = {
        "status": status, "kind": kind, "deal": deal, "outlet": outlet,
        "from": published_from.isoformat() if published_from else None,
        "to": published_to.isoformat() if published_to else None, "sort": sort,
    }  # fmt: skip
    return query, {k: v for k, v in clean.items() if v}


def _link(params: dict[str, str], **changes) -> str:
    merged = {**params, **{k: v for k, v in changes.items()}}
    return "/?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


# --- the app ----------------------------------------------------------------------------------------------


class ReviewApp:
    """The handlers, sharing the configuration, the warehouse, the archive and the guard."""

    def __init__(self, config: ReviewConfig) -> None:
        self.config = config
        self.warehouse = Warehouse(Path(config.db), config.busy_wait)
        self.archive = ArchiveReader(Path(config.archive_dir))
        self.guard = Guard(config.access_token, max_age=config.access_max_age)
        self.cues = CueFinder(config.model)
        self.templates = Jinja2Templates(env=_environment())

    # -- rendering
    def render(self, request: Request, name: str, context: dict, status: int = 200) -> Response:
        """A page with the session cookie set (forms need it for their CSRF token)."""
        session = request.cookies.get(SESSION_COOKIE)
        fresh = session is None or not re.fullmatch(r"[A-Za-z0-9_-]{20,100}", session)
        if fresh:
            session = self.guard.new_session()
        context = {
            "csrf_field": CSRF_FIELD,
            "csrf_token": self.guard.csrf_token(session),
            "signed_in": self.guard.requires_access
            and self.guard.access_cookie_ok(request.cookies.get(ACCESS_COOKIE)),
            **context,
        }
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        if fresh:
            _set_cookie(request, response, SESSION_COOKIE, session)
        return response

    def message(self, request: Request, status: int, title: str, text: str, **extra) -> Response:
        """A page that says one thing: an error, or that the warehouse is busy."""
        return self.render(request, "message.html", {"title": title, "text": text, **extra}, status)

    async def csrf_checked_form(self, request: Request):
        """The POSTed form, refused (403) when its CSRF token does not match the session cookie."""
        form = await request.form()
        token = form.get(CSRF_FIELD)
        if not self.guard.csrf_ok(
            request.cookies.get(SESSION_COOKIE), token if isinstance(token, str) else None
        ):
            raise HTTPException(
                403,
                "This form has no valid CSRF token (it may have expired): reload the page and submit again.",
            )
        return form

    # -- handlers
    def queue(self, request: Request) -> Response:
        query, params = parse_queue_query(request.query_params, self.config.per_page)
        with self.warehouse.reading() as con:
            page = reviews.queue(con, query)
            choices = reviews.queue_choices(con)
        pages = max(1, -(-page.total // query.per_page))
        return self.render(
            request, "queue.html",
            {"page": page, "query": query, "params": params, "choices": choices, "pages": pages,
             "link": lambda **changes: _link(params, **changes), "statuses": reviews.QUEUE_STATUSES,
             "sorts": {"newest": "newest evidence", "gap": "largest amount gap"}},
        )  # fmt: skip

    def _found(self, what: str, key: str, read) -> dict:
        """`read(con, key)` on a short read-only connection; 404 for a malformed key or nothing found."""
        found = read(self.warehouse, key) if HEX_ID.match(key) else None
        if found is None:
            raise HTTPException(404, f"There is no {what} {key!r}.")
        return found

    def _flag_context(self, flag_id: str) -> dict:
        flag = self._found("flag", flag_id, _read(reviews.flag_detail))
        for side in ("us", "other"):
            if flag[side] is not None:
                flag[side]["segments"] = highlight(flag[side], self.cues)
        return {"flag": flag}

    def flag(self, request: Request) -> Response:
        context = self._flag_context(request.path_params["flag_id"])
        reviewer = unquote(request.cookies.get(REVIEWER_COOKIE, ""))[: reviews.MAX_REVIEWER]
        context["form"] = {"decision": "", "note": "", "reviewer": reviewer}
        context["recorded"] = request.query_params.get("recorded") == "1"
        return self.render(request, "flag.html", context)

    async def decide(self, request: Request) -> Response:
        flag_id = request.path_params["flag_id"]
        if not HEX_ID.match(flag_id):
            raise HTTPException(404, f"There is no flag {flag_id!r}.")
        form = await self.csrf_checked_form(request)
        values = {key: str(form.get(key) or "") for key in ("decision", "note", "reviewer", *EVIDENCE_FIELDS)}
        if any(key not in form for key in EVIDENCE_FIELDS):
            raise BadRequest(
                "This form does not say which evidence it was about: reload the flag's page and decide again."
            )
        seen = (values["us_canonical_claim_id"], values["other_canonical_claim_id"])

        def store() -> str:
            with self.warehouse.writing() as con:
                return reviews.record_review(
                    con, flag_id, values["decision"], values["note"], values["reviewer"], seen=seen
                )

        try:
            await run_in_threadpool(store)
        except reviews.UnknownFlag:
            raise HTTPException(404, f"There is no flag {flag_id!r}.") from None
        except reviews.EvidenceChanged:
            # the page now shows the new evidence, and its form carries the new ids; the note is kept
            context = await run_in_threadpool(self._flag_context, flag_id)
            context.update(
                form=values, recorded=False,
                error="The evidence for this flag changed since you opened the page (the flags were "
                "recomputed): your decision was not recorded. Read the new evidence below and decide again.",
            )  # fmt: skip
            return self.render(request, "flag.html", context, status=409)
        except reviews.ReviewError as error:
            context = await run_in_threadpool(self._flag_context, flag_id)
            context.update(form=values, error=str(error), recorded=False)
            return self.render(request, "flag.html", context, status=400)
        except (WarehouseBusy, WarehouseError) as error:
            return self.busy(request, error, form=values, flag_id=flag_id)
        response = RedirectResponse(f"/flags/{flag_id}?recorded=1#history", status_code=303)
        _set_cookie(request, response, REVIEWER_COOKIE, quote(values["reviewer"].strip()))
        return response

    def archived(self, request: Request) -> Response:
        record = self._archived_record(request.path_params["article_id"])
        return self.render(request, "archived.html", {"article": record})

    def archived_raw(self, request: Request) -> Response:
        record = self._archived_record(request.path_params["article_id"])
        try:
            found = self.archive.read(record["warc_file"], record["warc_record_id"])
        except ArchiveMissing as error:
            raise HTTPException(404, f"The archived copy is missing: {error}.") from None
        media = found.content_type.split(";", 1)[0].strip().lower()
        content_type = found.content_type if media in ("text/html", "application/xhtml+xml") else "text/plain"
        return Response(
            found.body,
            headers={
                "Content-Type": content_type,
                "Content-Security-Policy": ARCHIVE_CSP,
                "X-Content-Type-Options": "nosniff",
                "X-Frame-Options": "SAMEORIGIN",
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store",
            },
        )

    def _archived_record(self, article_id: str) -> dict:
        record = self._found("article", article_id, _read(reviews.article_record))
        if not record["warc_file"] or not record["warc_record_id"]:
            raise HTTPException(404, "This article has no archived copy (it was read from a local file).")
        return record

    def login_page(self, request: Request) -> Response:
        return self.render(request, "login.html", {"next": _safe_next(request.query_params.get("next"))})

    async def login(self, request: Request) -> Response:
        form = await self.csrf_checked_form(request)
        target = _safe_next(str(form.get("next") or "/"))
        token = form.get("token")
        if not self.guard.requires_access or not self.guard.token_ok(
            token if isinstance(token, str) else None
        ):
            return self.render(
                request, "login.html", {"next": target, "error": "That is not the token."}, 401
            )
        response = RedirectResponse(target, status_code=303)
        _set_cookie(request, response, ACCESS_COOKIE, self.guard.access_cookie(), max_age=self.guard.max_age)
        return response

    async def logout(self, request: Request) -> Response:
        """Forget this browser's sign-in (and its session, so its CSRF tokens stop working too)."""
        await self.csrf_checked_form(request)
        response = RedirectResponse("/login" if self.guard.requires_access else "/", status_code=303)
        for name in (ACCESS_COOKIE, SESSION_COOKIE):
            response.delete_cookie(
                name, path="/", secure=request.url.scheme == "https", httponly=True, samesite="strict"
            )
        return response

    def busy(self, request: Request, error: Exception, **extra) -> Response:
        log.warning("review page: %s", error)
        busy = isinstance(error, WarehouseBusy)
        response = self.message(
            request, 503,
            "The warehouse is busy" if busy else "The warehouse cannot be opened",
            "The nightly job is loading new articles right now. Try again in a minute."
            if busy else str(error),
            **extra,
        )  # fmt: skip
        if busy:
            response.headers["Retry-After"] = "30"
        return response


def _read(query):
    """`query(con, key)` as a function of the warehouse, run on a short read-only connection."""

    def read(warehouse: Warehouse, key: str):
        with warehouse.reading() as con:
            return query(con, key)

    return read


def _safe_next(value: str | None) -> str:
    # only a path on this site: never //other.host or a scheme
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    """Our cookies: HttpOnly, SameSite=Strict, and Secure when the page came over https (directly, or from a
    trusted reverse proxy that says so; see review.server)."""
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=request.url.scheme == "https", httponly=True,
        samesite="strict",
    )  # fmt: skip


class _Guard:
    """Refuses cross-site POSTs and, when a token is configured, requests without the access cookie or bearer
    token; puts the security headers on every response. Plain ASGI, so an error in a handler reaches the
    app's error handlers as itself (not wrapped in an exception group)."""

    OPEN_PATHS = ("/login", "/logout", "/healthz")

    def __init__(self, app: ASGIApp, review: ReviewApp) -> None:
        self.app = app
        self.review = review

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self.refusal(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        received = 0

        async def receive_with_limit() -> Message:
            # a body longer than it said, or sent without a length: refused once it passes MAX_BODY
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY:
                    raise HTTPException(413)
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", PAGE_CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", PAGE_REFERRER_POLICY)
            await send(message)

        await self.app(scope, receive_with_limit, send_with_headers)

    def refusal(self, request: Request) -> Response | None:
        """The response that refuses this request, or None to let it through."""
        headers = request.headers
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY:
            return too_large()
        if request.method not in ("GET", "HEAD", "OPTIONS") and not same_origin(
            headers.get("host"), headers.get("origin"), headers.get("referer")
        ):
            sender = headers.get("origin") or headers.get("referer")
            log.warning("review page: refused a %s from %r to %s", request.method, sender, request.url.path)
            return PlainTextResponse(
                "Refused: this form was sent from another site; only this review server's own pages may send it.",
                403,
            )
        path = request.url.path
        open_path = path in self.OPEN_PATHS or path.startswith("/static/")
        if open_path or self.review.guard.access_ok(
            request.cookies.get(ACCESS_COOKIE), headers.get("authorization")
        ):
            return None
        if request.method in ("GET", "HEAD"):
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
        return PlainTextResponse("Sign in first: this review server requires its access token.", 401)


def too_large() -> Response:
    """The answer to a request body over MAX_BODY: one plain line."""
    return PlainTextResponse(
        f"Too large: this server takes forms of up to {MAX_BODY // 1024} KB "
        f"(a note has at most {reviews.MAX_NOTE} characters).",
        413,
    )


def allowed_hosts(extra: tuple[str, ...] = ()) -> list[str]:
    """The Host names the app answers to: localhost's, and `extra` (an IPv6 address gets its brackets; a
    port, and the wildcard addresses 0.0.0.0 and ::, are left out)."""
    hosts = list(LOCAL_HOSTS)
    for name in extra:
        name = name.strip().lower()
        if name.startswith("[") and "]" in name:
            name = name[: name.index("]") + 1]
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]  # host:port
        elif ":" in name:
            name = f"[{name}]"  # a bare IPv6 address
        if name and name not in ("0.0.0.0", "[::]") and name not in hosts:
            hosts.append(name)
    return hosts


def create_app(config: ReviewConfig) -> Starlette:
    """The review app for one warehouse and archive folder."""
    review = ReviewApp(config)

    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 413:
            return too_large()
        titles = {400: "Bad request", 403: "Refused", 404: "Not found", 405: "Not allowed"}
        return review.message(
            request, error.status_code, titles.get(error.status_code, "Error"), error.detail
        )

    async def warehouse_error(request: Request, error: Exception) -> Response:
        return review.busy(request, error)

    async def server_error(request: Request, error: Exception) -> Response:
        # the details go to the log, never to the page: they can name files, queries and data
        log.error("review page %s failed", request.url.path, exc_info=error)
        return review.message(
            request, 500, "Something went wrong",
            "The server could not show this page; the details are in its log. Try again, or go back to the queue.",
        )  # fmt: skip

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [
        Route("/", review.queue),
        Route("/flags/{flag_id}", review.flag),
        Route("/flags/{flag_id}/reviews", review.decide, methods=["POST"]),
        Route("/archive/{article_id}", review.archived),
        Route("/archive/{article_id}/raw", review.archived_raw),
        Route("/login", review.login_page, methods=["GET"]),
        Route("/login", review.login, methods=["POST"]),
        Route("/logout", review.logout, methods=["POST"]),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(config.allowed_hosts)),
            Middleware(_Guard, review=review),
        ],
        exception_handlers={
            HTTPException: http_error,
            WarehouseBusy: warehouse_error,
            WarehouseError: warehouse_error,
            Exception: server_error,
        },
    )
    app.state.review = review
    return app
