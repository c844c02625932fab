"""Retries that back off: Scrapy's RetryMiddleware retries at once, which hammers a struggling server."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (same settings: RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS), each after a pause.

    The n-th retry of a request waits RETRY_BACKOFF_BASE * 2**(n-1) seconds, at most RETRY_BACKOFF_MAX,
    or what a 429/503's Retry-After asks for (also capped). Installed in place of Scrapy's RetryMiddleware.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        """Retry a retryable status after the back-off pause."""
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._pause(result, _retry_after(response))
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        """Retry a timeout or connection error after the back-off pause."""
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._pause(result, None)
        return result

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        wanted = retry_after if retry_after is not None else self.base * 2 ** (attempt - 1)
        return max(0.0, min(wanted, self.cap))

    async def _pause(self, retry: Request, retry_after: float | None) -> None:
        seconds = self.delay(retry.meta.get("retry_times", 1), retry_after)
        if seconds > 0:
            logger.debug("backing off %.1fs before retrying %s", seconds, retry.url)
            await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


def _retry_after(response: Response) -> float | None:
    """Retry-After in seconds when given as a number (an HTTP date is rare enough to ignore)."""
    value = response.headers.get(b"Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None
