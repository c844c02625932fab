"""One spelling per page: `normalise_url` maps tracking, AMP, mobile and http variants to the canonical URL.

The warehouse keys articles on it and the spiders deduplicate requests with it, so the same article
reached through two feeds, a newsletter link with `utm_*` tags or an AMP page is stored once.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that say how a reader arrived, never which page it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "cmp",  # the Guardian's campaign tag (?CMP=share_btn_tw)
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "smid",
        "sr_share",
        "ito",
        "ocid",
        "mbid",
        "s_cid",
    }
)
TRACKING_PREFIXES = (
    "utm_",
    "pk_",
    "mtm_",
    "hsa_",
    "at_",
)  # at_medium, at_campaign: the Guardian's Adobe tags
AMP_PARAMS = {"amp": None, "outputtype": "amp", "output": "amp"}  # None: any value means AMP
AMP_HOSTS = {"amp.theguardian.com": "www.theguardian.com"}
MOBILE_PREFIXES = ("m.", "mobile.", "amp.")
AMP_PATH = re.compile(r"/amp/?$|/amp\.html$", re.IGNORECASE)
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str:
    """The canonical spelling of an article URL: https, lower-case host, no fragment, tracking or AMP.

    Remaining query parameters are sorted; `amp.`, `m.` and `mobile.` hosts become `www.` (or the bare
    domain when the page lives there), `/amp` suffixes and `?amp=1` / `outputType=amp` are dropped.
    Loopback and IP-address hosts keep their scheme, since they never have a certificate.
    Example: normalise_url("http://amp.theguardian.com/world/x?CMP=share&utm_source=tw#top")
    == "https://www.theguardian.com/world/x"
    """
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url  # file:, data:, mailto: … are not pages we normalise
    host = (parts.hostname or "").lower().rstrip(".")
    if not _is_local(host):
        scheme = "https"
        host = _desktop_host(host)
    port = parts.port
    if port is None or (port in DEFAULT_PORTS.values() and not _is_local(host)):
        netloc = host
    else:
        netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    path = _clean_path(parts.path)
    query = _clean_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _is_local(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _desktop_host(host: str) -> str:
    if host in AMP_HOSTS:
        return AMP_HOSTS[host]
    for prefix in MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return "www." + host.removeprefix(prefix)
    return host


def _clean_path(path: str) -> str:
    path = AMP_PATH.sub("", path) or "/"
    path = re.sub(r"/{2,}", "/", path)
    # one percent-encoding per character: "%7e" and "~" are the same page
    return quote(unquote(path), safe="/:@!$&'()*+,;=-._~")


def _clean_query(query: str) -> str:
    kept = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        name = key.lower()
        if name in AMP_PARAMS and AMP_PARAMS[name] in (None, value.lower()):
            continue
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append((key, value))
    return urlencode(sorted(kept))


SECRET_PARAMS = frozenset({"api-key", "api_key", "apikey", "access_token", "token"})


def redact_url(url: str) -> str:
    """The URL with credentials in its query replaced by "REDACTED", for archives and logs.

    Example: redact_url("https://content.guardianapis.com/search?q=x&api-key=abc")
    == "https://content.guardianapis.com/search?q=x&api-key=REDACTED"
    """
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k.lower() in SECRET_PARAMS for k, _ in pairs):
        return url
    query = urlencode([(k, "REDACTED" if k.lower() in SECRET_PARAMS else v) for k, v in pairs])
    return urlunsplit(parts._replace(query=query))
