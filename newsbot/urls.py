"""URL canonicalisation: one key per article, whatever variant of its URL we met.

courlan strips tracking parameters and normalises case/ports/fragments; w3lib sorts the query.
On top of them, the variants news sites add: AMP paths and parameters, mobile hosts, trailing
slashes and index pages.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

_AMP_PATH = re.compile(r"(/amp)(?=/|$)|(\.amp)(?=$|\.html?$)", re.I)
_AMP_QUERY = re.compile(r"(^|&)(amp|outputType=amp|output=amp)(=[^&]*)?(?=&|$)", re.I)
_MOBILE_HOST = re.compile(r"^(m|mobile|amp)\.", re.I)
_INDEX = re.compile(r"/index\.(html?|php|aspx?)$", re.I)


# session ids and referral markers courlan's tracker list leaves in (they never select an article)
_DROP_PARAMS = {
    "phpsessid", "jsessionid", "aspsessionid", "sessionid", "session_id", "cfid", "cftoken", "sessid",
    "from", "xtor", "ocid", "cmpid", "smid", "share", "amp_js_v", "amp_gsa", "usqp",
}


# names that are a session id on some sites and a real selector (section id, page) on others: dropped only
# when the value looks like a session token (16+ hex digits, or 20+ letters and digits)
_SESSION_LIKE = {"sid", "s", "session", "sess", "token", "zenid", "oscsid", "ses"}
_TOKEN = re.compile(r"[0-9a-f]{16,}|[0-9a-z]{20,}|[0-9a-z-]{32,}", re.I)
# a session id in the path, as a ;name=value parameter (Java servlets, PHP trans-sid): /a/1.html;jsessionid=X
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|aspsessionid|sessionid|sid|sessid)=[^/?#;]*", re.I)


def _dropped(param: str) -> bool:
    name, _, value = param.partition("=")
    name = name.lower()
    if name in _DROP_PARAMS or name.startswith(("ns_", "aspsessionid", "asp.net_sessionid")):
        return True
    return name in _SESSION_LIKE and _TOKEN.fullmatch(value) is not None


@lru_cache(maxsize=16384)
def canonicalize(url: str) -> str:
    """The canonical form used as the de-duplication and 'already fetched' key.

    Cached (bounded): a crawl asks for the same URLs again and again (the links every page repeats, then the
    request, the dupefilter, the page's own URL, the store), and courlan + w3lib cost ~20-70 µs a call."""
    url = url.strip()
    if not url:
        return url
    # imported here: extraction (site_of, ascii_host) never canonicalises, and courlan + w3lib cost a one-page
    # `newsbot extract` 35 ms of its start-up
    import courlan
    from w3lib.url import canonicalize_url

    if ";" in url:
        url = _PATH_SESSION.sub("", url)
    try:
        # not strict: strict mode keeps only a short list of parameters and would merge every
        # news.php?newsid=N of a site into one article; trackers go either way
        cleaned = courlan.normalize_url(url, strict=False) or url
    except Exception:  # courlan raises on some malformed URLs; fall back to w3lib alone
        cleaned = url
    parts = urlsplit(canonicalize_url(cleaned, keep_fragments=False))
    host = (parts.hostname or "").lower()
    host = _MOBILE_HOST.sub("", host)
    if host.startswith("www."):
        host = host[4:]
    netloc = host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"
    path = _AMP_PATH.sub("", parts.path) or "/"
    path = _INDEX.sub("/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = _AMP_QUERY.sub("", parts.query).strip("&")
    query = "&".join(p for p in query.split("&") if p and not _dropped(p))
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    return urlunsplit((scheme, netloc, path, query, ""))


@lru_cache(maxsize=4096)
def ascii_host(host: str) -> str:
    """A host name in its ASCII (IDNA/punycode) form, lower case: `مثال.إختبار` -> `xn--mgbh0fb.xn--kgbechtv`.
    Requests go out, and responses come back, in this form; links and the registry may use either."""
    host = host.strip().lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # a label Python's IDNA 2003 codec refuses: IDNA 2008 (UTS 46) then
        try:
            import idna

            return idna.encode(host, uts46=True).decode("ascii")
        except Exception:
            return host


def site_of(url: str) -> str:
    """The host without www./m. — the default `site` when no registry slug is known."""
    host = (urlsplit(url).hostname or "").lower()
    host = _MOBILE_HOST.sub("", host)
    return host[4:] if host.startswith("www.") else host
