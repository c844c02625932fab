"""Request protection for the review app: a CSRF token on every form, and an access token when the app is
reachable from other machines.

CSRF: each browser gets a random session cookie (HttpOnly, SameSite=Strict); a form carries
HMAC(server secret, session), so a page on another site can neither read nor forge it. Access: with a
configured token, a browser signs in once on /login and keeps a cookie derived from the token; scripts may
send `Authorization: Bearer TOKEN` instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION_COOKIE = "pw_session"
ACCESS_COOKIE = "pw_access"
CSRF_FIELD = "csrf_token"


class Guard:
    """Issues and checks CSRF tokens and, when `access_token` is set, the access cookie or bearer token."""

    def __init__(self, access_token: str | None = None, secret: bytes | None = None) -> None:
        self.access_token = access_token or None
        self._secret = secret or secrets.token_bytes(32)

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

    def access_cookie(self) -> str:
        """The access cookie's value: derived from the token, so it survives a restart but reveals nothing."""
        assert self.access_token is not None
        return hmac.new(self.access_token.encode(), b"pledgewatch review access", hashlib.sha256).hexdigest()

    def token_ok(self, token: str | None) -> bool:
        """Whether `token` is the configured access token."""
        return bool(self.access_token and token) and hmac.compare_digest(
            self.access_token.encode(), (token or "").encode()
        )

    def access_ok(self, cookie: str | None, authorization: str | None) -> bool:
        """Whether a request carries the access cookie or `Authorization: Bearer TOKEN`."""
        if not self.requires_access:
            return True
        if cookie and hmac.compare_digest(self.access_cookie(), cookie):
            return True
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_ok(value.strip())
