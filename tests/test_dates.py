"""Date parsing (newsbot.extract.dates): every form Arabic news pages use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from newsbot.extract.dates import date_from_url, jalali_to_gregorian, parse_date

NOW = datetime(2024, 5, 20, 12, 30, tzinfo=UTC)


def iso(text: str, now: datetime | None = NOW) -> str | None:
    parsed = parse_date(text, now)
    return parsed.iso() if parsed else None


@pytest.mark.parametrize("text,expected", [
    ("2024-05-20T07:00:00Z", "2024-05-20T07:00:00+00:00"),
    ("2024-05-12T23:04:50+0500", "2024-05-12T23:04:50+05:00"),
    ("2024-03-03T13:52:13.299Z", "2024-03-03T13:52:13.299+00:00"),
    ("2020-02-18 T 07:20:50 +0330", "2020-02-18T07:20:50+03:30"),
    ("2026-07-27T21:02:32", "2026-07-27T21:02:32"),
    ("2020-11-09", "2020-11-09"),
    ("Mon, 20 May 2024 07:00:00 GMT", "2024-05-20T07:00:00+00:00"),
    ("1715537040", "2024-05-12T18:04:00+00:00"),
])
def test_machine_formats(text, expected):
    assert iso(text) == expected


def test_midnight_is_a_date_only_value():
    # a CMS storing a date as midnight +01:00 must not move the article to the previous day in UTC
    assert iso("2019-02-08T00:00:00+01:00") == "2019-02-08"


@pytest.mark.parametrize("text,expected", [
    # Egyptian / Gulf month names
    ("الإثنين، 20 مايو 2024 07:00 ص", "2024-05-20T07:00:00"),
    ("10 يناير , 2016 - 2:18 ص", "2016-01-10T02:18:00"),
    ("الخميس 5 إبريل 2018", "2018-04-05"),
    ("1 أبريل 2018", "2018-04-01"),
    ("23 أغسطس 2020 03:15 م", "2020-08-23T15:15:00"),
    # Levantine / Iraqi month names
    ("الخميس 15 كانون الأول 2022", "2022-12-15"),
    ("1 تشرين الثاني 2022 11:05 م", "2022-11-01T23:05:00"),
    ("3 كانون الثاني 2021", "2021-01-03"),
    ("7 شباط 2023", "2023-02-07"),
    ("9 أيلول 2019", "2019-09-09"),
    ("الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00 (GMT+0400)", "2013-08-28T14:00:00+04:00"),
    # combined forms
    ("3 مارس/ آذار 2024", "2024-03-03"),
    ("20 مايو/أيار 2024", "2024-05-20"),
    # Maghrebi month names
    ("الجمعة 8 فيفري 2019", "2019-02-08"),
    ("12 جويلية 2021", "2021-07-12"),
    ("5 أوت 2020", "2020-08-05"),
    ("14 جوان 2022", "2022-06-14"),
    ("3 أفريل 2017", "2017-04-03"),
    # Arabic-Indic digits, صباحا / مساء
    ("٢٠ أيار ٢٠٢٤ الساعة ٩:٣٠ مساءً", "2024-05-20T21:30:00"),
    ("٠٥ مايو ٢٠٢٤ - ١١:٠٠ صباحاً", "2024-05-05T11:00:00"),
    ("12:10 ص الأحد 12 مايو 2024", "2024-05-12T00:10:00"),
    # English, numeric, Urdu
    ("November 9, 2020", "2020-11-09"),
    ("9 November 2020 10:15 pm", "2020-11-09T22:15:00"),
    ("20/05/2024 - 14:30", "2024-05-20T14:30:00"),
    ("2024/5/20", "2024-05-20"),
    ("اتوار 12 مئی 2024 23:04", "2024-05-12T23:04:00"),
    ("منشور: 14:00 بتوقيت غرينتش، 3 يونيو 2023", "2023-06-03T14:00:00+00:00"),
])
def test_visible_datelines(text, expected):
    assert iso(text) == expected


def test_hijri_dates_are_converted_and_raw_kept():
    parsed = parse_date("الإثنين 12 ذو القعدة 1445 هـ", NOW)
    assert parsed.iso() == "2024-05-20"
    assert parsed.raw == "الإثنين 12 ذو القعدة 1445 هـ"
    assert iso("1 رمضان 1445هـ") == "2024-03-11"
    assert iso("١٠ محرم ١٤٤٦ هـ") == "2024-07-16"


def test_persian_solar_dates():
    assert jalali_to_gregorian(1399, 2, 21) == date(2020, 5, 10)
    assert jalali_to_gregorian(1398, 11, 29) == date(2020, 2, 18)
    assert iso("۲۹ بهمن ۱۳۹۸ - ۰۶:۵۵") == "2020-02-18T06:55:00"
    assert iso("تاریخ انتشار: ۲۱ ارديبهشت ۱۳۹۹ - ۱۸:۵۹") == "2020-05-10T18:59:00"
    assert iso("۱۳۹۹/۰۲/۲۱ - ۱۸:۵۹") == "2020-05-10T18:59:00"


def test_persian_year_in_ascii_digits_is_not_taken_as_gregorian():
    assert parse_date("1399-02-21", NOW, fallback=False) is None


@pytest.mark.parametrize("text,delta,has_time", [
    ("منذ ساعتين", timedelta(hours=2), True),
    ("منذ ساعة", timedelta(hours=1), True),
    ("قبل 5 دقائق", timedelta(minutes=5), True),
    ("منذ ٣ ساعات", timedelta(hours=3), True),
    ("منذ 3 أيام", timedelta(days=3), False),
    ("منذ يومين", timedelta(days=2), False),
    ("3 hours ago", timedelta(hours=3), True),
    ("۲ روز پیش", timedelta(days=2), False),
])
def test_relative_dates(text, delta, has_time):
    parsed = parse_date(text, NOW)
    expected = NOW - delta
    if has_time:
        assert parsed.value == expected.replace(second=0, microsecond=0)
        assert parsed.has_tz
    else:
        assert parsed.value == expected.date()


def test_yesterday():
    assert iso("أمس") == "2024-05-19"
    assert iso("أمس 10:30 م") == "2024-05-19T22:30:00"


def test_relative_needs_a_reference_time():
    assert parse_date("منذ ساعتين", None, fallback=False) is None


def test_not_dates():
    for text in ("", "   ", "اليوم السابع", "سعر الدولار 30.5 جنيه", "الفصل 12 من القانون", "رقم 1234"):
        assert parse_date(text, NOW, fallback=False) is None, text


@pytest.mark.parametrize("url,expected", [
    ("https://www.youm7.com/story/2024/5/20/%D9%88%D8%B2%D8%A7%D8%B1%D8%A9/6574622", "2024-05-20"),
    ("http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html", "2013-08-03"),
    ("https://www.urdupoint.com/daily/livenews/2024-05-12/news-4014900.html", "2024-05-12"),
    ("https://example.com/news/20240520-some-title", "2024-05-20"),
    ("https://www.beirutobserver.com/2020/11/2338761/", "2020-11"),
    ("https://example.com/article/123456789", None),
    ("https://example.com/2024/13/40/x", None),
    (None, None),
])
def test_url_dates(url, expected):
    parsed = date_from_url(url)
    assert (parsed.iso() if parsed else None) == expected


def test_youm7_style_z_is_kept_as_stated():
    # meta says 07:00Z while the page prints "07:00 ص" (Cairo time): we keep the stated value (see README)
    meta = parse_date("2024-05-20T07:00:00Z", NOW)
    visible = parse_date("الإثنين، 20 مايو 2024 07:00 ص", NOW)
    assert meta.iso() == "2024-05-20T07:00:00+00:00"
    assert visible.value.replace(tzinfo=UTC) == meta.value
