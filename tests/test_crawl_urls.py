"""normalise_url: one spelling per article, whatever link a feed, a newsletter or a phone gave us."""

from __future__ import annotations

import pytest

from crawlers.urls import normalise_url

G = "https://www.theguardian.com/us-news/2025/jul/27/trump-eu-deal"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (G, G),
        (G + "#comments", G),  # fragments never name another page
        (G + "?CMP=share_btn_tw", G),  # the Guardian's campaign tag
        (G + "?utm_source=newsletter&utm_medium=email&utm_campaign=x", G),
        (G + "?fbclid=IwAR0abc&gclid=xyz&mc_cid=1&mc_eid=2", G),
        (G + "?at_medium=custom7&at_campaign=twitter", G),
        ("http://www.theguardian.com/us-news/2025/jul/27/trump-eu-deal", G),  # https
        ("https://WWW.TheGuardian.COM/us-news/2025/jul/27/trump-eu-deal", G),  # host case
        ("https://www.theguardian.com:443/us-news/2025/jul/27/trump-eu-deal", G),  # default port
        ("https://amp.theguardian.com/us-news/2025/jul/27/trump-eu-deal", G),  # AMP host
        ("https://www.twz.com/news-features/japan-fund/amp", "https://www.twz.com/news-features/japan-fund"),
        ("https://www.twz.com/news-features/japan-fund/amp/", "https://www.twz.com/news-features/japan-fund"),
        ("https://www.pbs.org/newshour/politics/x?amp=1", "https://www.pbs.org/newshour/politics/x"),
        ("https://www.pbs.org/newshour/politics/x?amp", "https://www.pbs.org/newshour/politics/x"),
        ("https://example.com/story?outputType=amp", "https://example.com/story"),
        ("https://m.pbs.org/newshour/politics/x", "https://www.pbs.org/newshour/politics/x"),  # mobile
        ("https://mobile.example.com/a", "https://www.example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),  # sorted query
        ("https://example.com/a?id=7&utm_source=x", "https://example.com/a?id=7"),  # real params stay
        ("https://example.com/a?page=2&amp=0", "https://example.com/a?page=2"),
        ("https://example.com/a?outputType=json", "https://example.com/a?outputType=json"),  # not AMP
        ("https://example.com/a%7eb//c", "https://example.com/a~b/c"),  # one spelling per path
        ("https://example.com", "https://example.com/"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),  # a real port stays
        ("https://mail.m.example/a", "https://mail.m.example/a"),  # "m." only as the first label
        ("http://127.0.0.1:8080/a?amp=1#x", "http://127.0.0.1:8080/a"),  # local servers keep http
        ("http://localhost:5000/a", "http://localhost:5000/a"),
        ("file:///tmp/page.html", "file:///tmp/page.html"),  # not a web page: untouched
    ],
)
def test_normalise_url(url, canonical):
    assert normalise_url(url) == canonical


def test_normalise_url_is_idempotent():
    urls = [G + "?CMP=x", "https://m.example.com/a/amp?b=1&a=2", "http://127.0.0.1:9/x#y"]
    assert all(normalise_url(normalise_url(u)) == normalise_url(u) for u in urls)
