"""Dates as news pages write them -> ISO 8601.

Fast regex paths for the common forms; dateparser (slow) only as a last resort on short strings.

- ISO 8601 / RFC 2822 / Unix timestamps (meta tags, JSON-LD, <time datetime>).
- Arabic month names of every tradition (newsbot/lexicon/months.toml): Levantine/Iraqi (كانون الثاني، شباط، آذار...), Egyptian/Gulf (يناير،
  فبراير...), Maghrebi (جانفي، فيفري، أفريل، ماي، جوان، جويلية، أوت) and Moroccan (يوليوز، غشت، شتنبر...), the
  combined "مايو/أيار" form, Urdu (جنوری، مئی...) and English month names; weekday names are ignored.
- Arabic-Indic (٠-٩) and Persian (۰-۹) digits; ص/م and صباحا/مساء (AM/PM); "GMT+0400"-style offsets.
- Hijri dates (محرم ... ذو الحجة, "هـ") converted with `hijridate`; Persian solar (Jalali) dates (فروردین ...
  اسفند, or numeric years 13xx/14xx written in Persian digits) converted arithmetically.
- Relative dates ("منذ ساعتين"، "قبل 5 دقائق"، "أمس"، "3 hours ago") against a reference time `now`.
- Dates in URL paths (/2024/5/20/, /2013/middle_east/8/3/, /2024-05-12/, /20240520, /2020/11/).

Output: "YYYY-MM-DD" when only a day is known, "YYYY-MM-DDTHH:MM:SS" without offset when the text gives a time but
no offset, and with "+HH:MM" when it gives (or implies, e.g. "Z", "GMT", relative-to-`now`) one. An exact
midnight (00:00:00) is taken as "date only": CMSes store date-only values as midnight, and reading such a midnight
in another offset would move the article to the previous day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

from newsbot.lexicon import folder, month_names

fold = folder()  # the MATCH fold, cached (newsbot.lexicon)

__all__ = ["ParsedDate", "date_from_url", "fold", "jalali_to_gregorian", "parse_date"]

# folded name -> (calendar, month): every tradition's names, written once in newsbot/lexicon/months.toml
_MONTHS: dict[str, tuple[str, int]] = month_names()

_MONTH_ALT = "|".join(sorted((re.escape(n) for n in _MONTHS), key=len, reverse=True))
_B = r"(?<![\w])"  # word start (Arabic letters are \w too)
_E = r"(?![\w])"
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*[/\-.,،]?\s*{_B}({_MONTH_ALT}){_E}(?:\s*[/\-]\s*{_B}({_MONTH_ALT}){_E})?"
    rf"\s*[,،\-/.]?\s*(\d{{4}})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(
    rf"{_B}({_MONTH_ALT}){_E}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(\d{{4}})(?!\d)"
)
_YMD = re.compile(r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})(?!\d)")
_TIME = re.compile(
    r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d{1,6})\d*)?"
    r"(?:\s*(صباحا|صباح|مساءا|مساء|ظهرا|ص|م|a\.?m\.?|p\.?m\.?)(?![\w]))?"
)
_ISO = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:\s*[t ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?"
    r"\s*(z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?(?:\s|$)"
)
_OFFSET = re.compile(r"(?:gmt|utc|جرينتش|غرينتش|غرينيتش)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?")
_UTC_WORD = re.compile(r"(?<![\w])(?:gmt|utc|جرينتش|غرينتش|غرينيتش)(?![\w])")
# Zones without daylight saving (or abbreviations that state it), so the offset does not depend on the date.
_NAMED_ZONES = [
    (re.compile(r"مكه المكرمه|توقيت مكه|توقيت السعوديه|توقيت الرياض|توقيت الدوحه|توقيت قطر|توقيت الكويت|توقيت بغداد"),
     3 * 60),
    (re.compile(r"توقيت ابوظبي|توقيت ابو ظبي|توقيت الامارات|توقيت دبي|توقيت مسقط"), 4 * 60),
    (re.compile(r"(?<![a-z])(?:edt)(?![a-z])"), -4 * 60),
    (re.compile(r"(?<![a-z])(?:est|cdt)(?![a-z])"), -5 * 60),
    (re.compile(r"(?<![a-z])(?:cst|mdt)(?![a-z])"), -6 * 60),
    (re.compile(r"(?<![a-z])(?:mst|pdt)(?![a-z])"), -7 * 60),
    (re.compile(r"(?<![a-z])(?:pst)(?![a-z])"), -8 * 60),
    (re.compile(r"(?<![a-z])(?:bst|cet)(?![a-z])"), 60),
    (re.compile(r"(?<![a-z])(?:cest|eet)(?![a-z])"), 120),
    (re.compile(r"(?<![a-z])(?:eest)(?![a-z])"), 180),
]
_NUM_OFFSET = re.compile(r"(?<=\d)\s*([+-])(\d{2}):?(\d{2})(?!\d)")
_HIJRI_MARK = re.compile(r"(?:\d\s*|\s)(?:هـ|ه‍|ه\b|هجري)")
_PERSIAN_DIGIT = re.compile("[۰-۹]")
_RFC = re.compile(r"[a-z]{3},?\s+\d{1,2}\s+[a-z]{3}\s+\d{4}", re.I)
_EPOCH = re.compile(r"^\s*(\d{10})(\d{3})?\s*$")

# keys folded like the text they are matched in (دقائق -> دقايق)
_UNIT_SECONDS = {fold(k): v for k, v in {
    "ثانيه": 1, "ثواني": 1, "ثوان": 1, "ثانيتين": 2, "ثانيتان": 2,
    "دقيقه": 60, "دقائق": 60, "دقيقتين": 120, "دقيقتان": 120,
    "ساعه": 3600, "ساعات": 3600, "ساعتين": 7200, "ساعتان": 7200,
    "يوم": 86400, "ايام": 86400, "يومين": 172800, "يومان": 172800,
    "اسبوع": 604800, "اسابيع": 604800, "اسبوعين": 1209600, "اسبوعان": 1209600,
    "شهر": 2592000, "اشهر": 2592000, "شهور": 2592000, "شهرين": 5184000, "شهران": 5184000,
    "سنه": 31536000, "سنوات": 31536000, "سنتين": 63072000, "عام": 31536000, "اعوام": 31536000,
    "عامين": 63072000,
}.items()}
_DUALS = {k for k in _UNIT_SECONDS if k.endswith(("ين", "ان")) and k not in ("شهور",)}
_UNIT_ALT = "|".join(sorted(_UNIT_SECONDS, key=len, reverse=True))
_REL_AR = re.compile(rf"(?:منذ|قبل)\s+(?:(\d+)\s+)?({_UNIT_ALT})(?![\w])")
_REL_EN = re.compile(r"(\d+|an?|one)\s+(second|minute|min|hour|hr|day|week|month|year)s?\s+ago")
_REL_FA = re.compile(r"(\d+)\s+(ثانيه|دقيقه|ساعت|روز|هفته|ماه|سال)\s+پيش")
_FA_UNITS = {"ثانيه": 1, "دقيقه": 60, "ساعت": 3600, "روز": 86400, "هفته": 604800, "ماه": 2592000, "سال": 31536000}
_EN_UNITS = {"second": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86400, "week": 604800,
             "month": 2592000, "year": 31536000}
_YESTERDAY = re.compile(r"(?<![\w])(?:امس|البارحه|yesterday|ديروز)(?![\w])")


@dataclass
class ParsedDate:
    """A parsed date: `value` is a date (day precision) or a datetime (naive when no offset is known)."""

    value: date | datetime
    raw: str
    precision: str = "day"  # "month" for URL dates like /2020/11/, "day", "time"
    source: str = ""  # where the page states it ("JSON-LD datePublished", "date in the URL"...), for the trace

    @property
    def has_time(self) -> bool:
        return isinstance(self.value, datetime)

    @property
    def has_tz(self) -> bool:
        return isinstance(self.value, datetime) and self.value.tzinfo is not None

    def day(self) -> date:
        return self.value.date() if isinstance(self.value, datetime) else self.value

    def iso(self) -> str:
        if isinstance(self.value, datetime):
            spec = "milliseconds" if self.value.microsecond else "seconds"
            return self.value.isoformat(timespec=spec)
        if self.precision == "month":
            return self.value.strftime("%Y-%m")
        return self.value.isoformat()

    def utc(self) -> datetime | None:
        """The instant in UTC when the offset is known, else None."""
        if isinstance(self.value, datetime) and self.value.tzinfo is not None:
            return self.value.astimezone(UTC)
        return None


def jalali_to_gregorian(jy: int, jm: int, jd: int) -> date:
    """Persian solar calendar -> Gregorian (the standard arithmetic algorithm, valid for years 1-3177 AP)."""
    jy += 1595
    days = -355668 + 365 * jy + (jy // 33) * 8 + ((jy % 33) + 3) // 4 + jd
    days += (jm - 1) * 31 if jm < 7 else (jm - 7) * 30 + 186
    gy = 400 * (days // 146097)
    days %= 146097
    if days > 36524:
        days -= 1
        gy += 100 * (days // 36524)
        days %= 36524
        if days >= 365:
            days += 1
    gy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        gy += (days - 1) // 365
        days = (days - 1) % 365
    return date(gy, 1, 1) + timedelta(days=days)


def _hijri_to_gregorian(y: int, m: int, d: int) -> date | None:
    from hijridate import Hijri

    try:
        return date(*Hijri(y, m, d).to_gregorian().datetuple())
    except (ValueError, OverflowError):
        return None


def _make_day(cal: str, y: int, m: int, d: int) -> date | None:
    try:
        if cal == "h":
            return _hijri_to_gregorian(y, m, d)
        if cal == "j":
            if not 1 <= m <= 12 or not 1 <= d <= 31:
                return None
            return jalali_to_gregorian(y, m, d)
        if not 1800 <= y <= 2200:
            return None
        return date(y, m, d)
    except ValueError:
        return None


def _tz_from(text: str, after: int = 0) -> timezone | None:
    m = _OFFSET.search(text, after)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
        if minutes <= 14 * 60:
            return timezone(sign * timedelta(minutes=minutes))
    m = _NUM_OFFSET.search(text, after)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        minutes = int(m.group(2)) * 60 + int(m.group(3))
        if minutes <= 14 * 60:
            return timezone(sign * timedelta(minutes=minutes))
    if _UTC_WORD.search(text, after):
        return UTC
    for rx, minutes in _NAMED_ZONES:
        if rx.search(text, after):
            return timezone(timedelta(minutes=minutes))
    return None


def _with_time(day: date, text: str, span: tuple[int, int]) -> date | datetime:
    """Attach the first clock time found outside the date's own span (before or after it)."""
    for m in _TIME.finditer(text):
        if span[0] <= m.start() < span[1]:
            continue
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        ampm = (m.group(5) or "").replace(".", "")
        if ampm in ("ص", "صباحا", "صباح", "am") and h == 12:
            h = 0
        elif ampm in ("م", "مساء", "مساءا", "ظهرا", "pm") and h < 12:
            h += 12
        if h > 23 or mi > 59 or s > 59:
            continue
        micro = int((m.group(4) or "0").ljust(6, "0")[:6])
        dt = datetime(day.year, day.month, day.day, h, mi, s, micro, tzinfo=_tz_from(text, m.end()))
        return dt
    return day


def _finish(value: date | datetime, raw: str, precision: str = "day") -> ParsedDate:
    if isinstance(value, datetime) and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        value = value.date()  # midnight = a date-only value stored as a datetime (see module docstring)
    if isinstance(value, datetime) and precision == "day":
        precision = "time"
    return ParsedDate(value, raw.strip(), precision)


def _parse_iso(raw: str, folded: str) -> ParsedDate | None:
    m = _ISO.match(folded)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if y < 1800:  # 1399-02-21 is a Persian date, not an ISO one
        return None
    try:
        if m.group(4) is None:
            return _finish(date(y, mo, d), raw)
        micro = int((m.group(7) or "0").ljust(6, "0")[:6])
        tz = None
        if m.group(8):
            off = m.group(8)
            if off in ("z", "utc", "gmt"):
                tz = UTC
            else:
                digits = off[1:].replace(":", "")
                minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
                tz = timezone((-1 if off[0] == "-" else 1) * timedelta(minutes=minutes))
        dt = datetime(y, mo, d, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), micro, tzinfo=tz)
        return _finish(dt, raw)
    except ValueError:
        return None


def _parse_relative(folded: str, raw: str, now: datetime) -> ParsedDate | None:
    m = _REL_AR.search(folded)
    seconds = None
    if m:
        unit = m.group(2)
        n = int(m.group(1)) if m.group(1) else 1
        seconds = _UNIT_SECONDS[unit] * (1 if unit in _DUALS and not m.group(1) else n)
    else:
        m = _REL_EN.search(folded)
        if m:
            n = 1 if m.group(1) in ("a", "an", "one") else int(m.group(1))
            seconds = _EN_UNITS[m.group(2)] * n
        else:
            m = _REL_FA.search(folded)
            if m:
                seconds = _FA_UNITS[m.group(2)] * int(m.group(1))
    if seconds is not None:
        when = now - timedelta(seconds=seconds)
        if seconds >= 86400:
            return ParsedDate(when.date(), raw.strip(), "day")
        return ParsedDate(when.replace(second=0, microsecond=0), raw.strip(), "time")
    if _YESTERDAY.search(folded):
        day = (now - timedelta(days=1)).date()
        value = _with_time(day, folded, (0, 0))
        return _finish(value, raw)
    return None


def _parse_named(raw: str, folded: str) -> ParsedDate | None:
    m = _DAY_MONTH_YEAR.search(folded)
    if m:
        cal, month = _MONTHS[m.group(2)]
        d, y = int(m.group(1)), int(m.group(4))
        if cal == "g" and y < 1800:
            return None
        if cal == "j" and y > 1700:  # "دی"/"مهر"... are also common words: require a Persian-calendar year
            return None
        if cal == "h" and y > 1700:
            return None
        day = _make_day(cal, y, month, d)
        if day is None:
            return None
        return _finish(_with_time(day, folded, m.span()), raw)
    m = _MONTH_DAY_YEAR.search(folded)
    if m:
        cal, month = _MONTHS[m.group(1)]
        if cal != "g":
            return None
        day = _make_day("g", int(m.group(3)), month, int(m.group(2)))
        if day is None:
            return None
        return _finish(_with_time(day, folded, m.span()), raw)
    return None


def _numeric_calendar(raw: str, folded: str, y: int) -> str | None:
    if y >= 1800:
        return "g"
    if y < 1300 or y > 1600:
        return None
    if _HIJRI_MARK.search(folded):
        return "h"
    if _PERSIAN_DIGIT.search(raw):
        return "j"
    return None


def _parse_numeric(raw: str, folded: str) -> ParsedDate | None:
    m = _YMD.search(folded)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DMY.search(folded)
        if not m:
            return None
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        d, mo = (b, a) if b > 12 and a <= 12 else (a, b)  # day first, unless that is impossible
    cal = _numeric_calendar(raw, folded, y)
    if cal is None or not 1 <= mo <= 12:
        return None
    day = _make_day(cal, y, mo, d)
    if day is None:
        return None
    return _finish(_with_time(day, folded, m.span()), raw)


def _parse_fallback(raw: str, now: datetime | None) -> ParsedDate | None:
    if len(raw) > 80 or not re.search(r"\d", raw):
        return None
    import dateparser  # slow to import and to run: last resort only

    settings: dict[str, object] = {"PREFER_DAY_OF_MONTH": "first", "DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month", "year"]}
    if now is not None:
        settings["RELATIVE_BASE"] = now.replace(tzinfo=None)
    try:
        dt = dateparser.parse(raw, languages=["ar", "en", "fr"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    if dt is None or not 1800 <= dt.year <= 2200:
        return None
    return _finish(dt, raw)


def parse_date(text: str | None, now: datetime | None = None, *, fallback: bool = True) -> ParsedDate | None:
    """Parse one date string (a meta value, a <time> text, a visible dateline). None when there is no date."""
    if not text or not text.strip():
        return None
    raw = text.strip()[:300]
    folded = fold(raw)
    parsed = _parse_iso(raw, folded)
    if parsed:
        return parsed
    m = _EPOCH.match(folded)
    if m:
        ts = int(m.group(1))
        if 631152000 <= ts <= 4102444800:  # 1990..2100
            return _finish(datetime.fromtimestamp(ts, UTC), raw)
        return None
    rfc = _RFC.search(raw)
    if rfc:
        try:
            import email.utils  # (RFC 2822 dates are rare on pages; the module pulls in socket and calendar)

            return _finish(email.utils.parsedate_to_datetime(raw[rfc.start():]), raw)
        except (TypeError, ValueError):
            pass
    parsed = _parse_named(raw, folded) or _parse_numeric(raw, folded)
    if parsed:
        return parsed
    if now is not None:
        parsed = _parse_relative(folded, raw, now)
        if parsed:
            return parsed
    return _parse_fallback(raw, now) if fallback else None


_URL_YMD = re.compile(
    r"(?<![\d])((?:19|20)\d{2})/(?:[a-z][a-z_\-]*/)?(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?=/|$|[^\d])", re.I
)
_URL_DASHED = re.compile(r"(?<![\d])((?:19|20)\d{2})[-_](0[1-9]|1[0-2])[-_](0[1-9]|[12]\d|3[01])(?!\d)")
_URL_COMPACT = re.compile(r"(?<=[/_\-])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=[/_\-.]|$)")
_URL_YM = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/")


def date_from_url(url: str | None) -> ParsedDate | None:
    """The date a URL path states (/2024/5/20/, /2024-05-20/, /20240520/, or month-only /2020/11/)."""
    if not url:
        return None
    path = unquote(urlsplit(url).path)
    for rx in (_URL_YMD, _URL_DASHED, _URL_COMPACT):
        m = rx.search(path)
        if m:
            try:
                return ParsedDate(date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.group(0), "day")
            except ValueError:
                continue
    m = _URL_YM.search(path)
    if m:
        return ParsedDate(date(int(m.group(1)), int(m.group(2)), 1), m.group(0), "month")
    return None
