"""Request protection for the review app: a CSRF token on every form, and an access token when the app is
reachable from other machines.

CSRF: each browser gets a random session cookie (HttpOnly, SameSite=Strict); a form carries
HMAC(server secret, session), so a page on another site can neither read nor forge it. Access: with a
configured token, a browser signs in on /login and keeps a cookie that names when it was issued and is signed
with the token (so it survives a restart, and stops working after `max_age` seconds or when the token
changes); /logout removes it. Scripts may send `Authorization: Bearer TOKEN` instead.

Cross-site requests: `same_origin` tells whether a POST's Origin (or Referer) names this server.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

SESSION_COOKIE = "pw_session"
ACCESS_COOKIE = "pw_access"
CSRF_FIELD = "csrf_token"
ACCESS_MAX_AGE = 12 * 3600  # seconds a sign-in lasts


class Guard:
    """Issues and checks CSRF tokens and, when `access_token` is set, the access cookie or bearer token."""

    def __init__(
        self, access_token: str | None = None, secret: bytes | None = None, max_age: int = ACCESS_MAX_AGE
    ) -> None:
        self.access_token = access_token or None
        self._secret = secret or secrets.token_bytes(32)
        self.max_age = max_age

    @staticmethod
    def new_session() -> str:
        """A fresh session id for the session cookie."""
        return secrets.token_urlsafe(32)

    def csrf_token(self, session: str) -> str:
        """The form token that belongs to a session."""
        return hmac.new(self._secret, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: str | None, token: str | None) -> bool:
        """Whether a POST's token matches its session cookie."""
        if not session or not token:
            return False
        return hmac.compare_digest(self.csrf_token(session), token)

    @property
    def requires_access(self) -> bool:
        """Whether requests must prove they know the access token."""
        return self.access_token is not None

    def _access_mac(self, issued: str) -> str:
        assert self.access_token is not None
        return hmac.new(
            self.access_token.encode(), b"pledgewatch review access:" + issued.encode(), hashlib.sha256
        ).hexdigest()

    def access_cookie(self, now: float | None = None) -> str:
        """A fresh access cookie's value: when it was issued, signed with the token (it reveals nothing)."""
        issued = str(int(time.time() if now is None else now))
        return f"{issued}.{self._access_mac(issued)}"

    def access_cookie_ok(self, cookie: str | None, now: float | None = None) -> bool:
        """Whether `cookie` is an access cookie this token signed less than `max_age` seconds ago."""
        if not self.requires_access or not cookie:
            return False
        issued, _, mac = cookie.partition(".")
        if not issued.isdigit() or not hmac.compare_digest(self._access_mac(issued), mac):
            return False
        age = (time.time() if now is None else now) - int(issued)
        return -60 <= age <= self.max_age  # a minute's grace for a clock set back

    def token_ok(self, token: str | None) -> bool:
        """Whether `token` is the configured access token."""
        return bool(self.access_token and token) and hmac.compare_digest(
            self.access_token.encode(), (token or "").encode()
        )

    def access_ok(self, cookie: str | None, authorization: str | None) -> bool:
        """Whether a request carries the access cookie or `Authorization: Bearer TOKEN`."""
        if not self.requires_access:
            return True
        if self.access_cookie_ok(cookie):
            return True
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_ok(value.strip())


def _host_port(host: str, port: int | None, scheme: str | None) -> tuple[str, int | None]:
    host = host.lower().strip("[]")
    if port is not None and (scheme, port) in (("http", 80), ("https", 443), (None, 80), (None, 443)):
        port = None  # the default port: browsers leave it out of Origin and Host
    return host, port


def same_origin(host_header: str | None, origin: str | None, referer: str | None) -> bool:
    """Whether a request's Origin (or, without one, its Referer) names the host it was sent to.

    A request with neither (a script, or a browser that sends none) passes: the CSRF token still guards it.
    `Origin: null` (a sandboxed frame, a file) does not pass.
    """
    source = origin if origin is not None else referer
    if source is None or source == "":
        return origin is None
    if not host_header:
        return False
    try:
        sent = urlsplit(source.strip())
        if sent.scheme not in ("http", "https") or not sent.hostname:
            return False
        target = urlsplit("//" + host_header.strip())
        if not target.hostname:
            return False
        return _host_port(sent.hostname, sent.port, sent.scheme) == _host_port(
            target.hostname, target.port, None
        )
    except ValueError:  # a malformed port or address
        return False
