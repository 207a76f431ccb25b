"""The site registry (data/sites.toml): loading, validation, URL ownership, ad-hoc sites, `newsbot sites`."""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter

import pytest

from newsbot.cli import main
from spiders.classify import classify_url
from spiders.registry import (
    DEFAULT_REGISTRY,
    REGIONS,
    RegistryError,
    Site,
    adhoc_site,
    discovery_urls,
    load_registry,
    parse_registry,
    site_for_url,
)


@pytest.fixture(scope="module")
def registry() -> dict[str, Site]:
    return load_registry()


def test_registry_has_at_least_25_valid_sites(registry):
    assert len(registry) >= 25
    assert all(isinstance(s, Site) for s in registry.values())
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9._-]*", slug) for slug in registry)


def test_slugs_unique_in_the_file_itself():
    raw = tomllib.loads(DEFAULT_REGISTRY.read_text(encoding="utf-8"))["site"]
    slugs = [e["slug"] for e in raw]
    assert len(slugs) == len(set(slugs)) == len(load_registry())


def test_every_entry_is_marked_unverified(registry):
    # written without internet access: nothing may claim to have been checked
    assert not any(s.verified for s in registry.values())
    text = DEFAULT_REGISTRY.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("verified = false")]
    assert len(lines) == len(registry)
    assert all("not checked" in line for line in lines)  # each says why


def test_entries_are_consistent(registry):
    for s in registry.values():
        assert s.name and re.search(r"[\u0600-\u06ff]", s.name) or s.slug == "lbci", s.slug
        assert s.region in REGIONS and s.region != "unknown", s.slug
        assert re.fullmatch(r"[A-Z]{2}", s.country), s.slug
        assert s.allows(s.homepage), s.slug
        for url in s.feeds + s.sitemaps:
            assert url.startswith(("http://", "https://")), (s.slug, url)
            assert s.allows(url), (s.slug, url)  # the crawl may fetch its own feeds
        for pattern in s.article_patterns:
            re.compile(pattern)
            assert not re.search(pattern, s.homepage), (s.slug, pattern)  # a homepage is never an article
        assert site_for_url(s.homepage, registry) is s, s.slug


def test_regions_covered(registry):
    regions = Counter(s.region for s in registry.values())
    for region in ("gulf", "levant", "egypt", "maghreb", "pan-arab", "international", "iraq"):
        assert regions[region] >= 2, region


def test_named_outlets_present(registry):
    hosts = {s.homepage.split("/")[2] for s in registry.values()}
    for host in ("www.aljazeera.net", "www.alarabiya.net", "www.bbc.com", "www.youm7.com", "www.hespress.com",
                 "aawsat.com", "www.skynewsarabia.com", "arabic.rt.com", "www.france24.com", "www.dw.com"):  # fmt: skip
        assert host in hosts, host


def test_allows_host_and_subdomains_only():
    site = load_registry()["aljazeera"]
    assert site.allows("https://www.aljazeera.net/news/2024/5/20/x")
    assert site.allows("https://aljazeera.net/")
    assert site.allows("http://chat.aljazeera.net:8080/x")
    assert site.allows("https://WWW.AlJazeera.NET/x")
    assert not site.allows("https://notaljazeera.net/x")
    assert not site.allows("https://aljazeera.net.evil.com/x")
    assert not site.allows("https://www.aljazeera.com/news")
    assert not site.allows("mailto:x@aljazeera.net")
    assert not site.allows("")
    assert not site.allows("http://[::1/x")


def test_path_prefixes_restrict_a_shared_host(registry):
    bbc = registry["bbc-arabic"]
    assert bbc.allows("https://www.bbc.com/arabic/articles/c720dxj8dq8o")
    assert bbc.allows("https://www.bbc.com/arabic")
    assert not bbc.allows("https://www.bbc.com/arabicx/y")
    assert not bbc.allows("https://www.bbc.com/news/world-123")
    assert bbc.allows("https://feeds.bbci.co.uk/arabic/rss.xml")
    assert site_for_url("https://www.bbc.com/news/world-123", registry) is None
    assert site_for_url("https://www.bbc.com/arabic/articles/c720dxj8dq8o", registry) is bbc


def test_site_for_url(registry):
    assert site_for_url("https://www.youm7.com/story/2024/5/20/x/6574622", registry).slug == "youm7"
    assert site_for_url("https://m.youm7.com/story/2024/5/20/x/6574622").slug == "youm7"  # default registry
    assert site_for_url("https://www.example.org/", registry) is None
    assert site_for_url("not a url", registry) is None


def test_most_specific_site_wins():
    reg = parse_registry(
        """
        [[site]]
        slug = "cnn"
        name = "cnn"
        homepage = "https://edition.cnn.com/"
        allowed_domains = ["cnn.com"]
        [[site]]
        slug = "cnn-arabic"
        name = "cnn arabic"
        homepage = "https://arabic.cnn.com/"
        allowed_domains = ["arabic.cnn.com"]
        """
    )
    assert site_for_url("https://arabic.cnn.com/x", reg).slug == "cnn-arabic"
    assert site_for_url("https://edition.cnn.com/x", reg).slug == "cnn"


def test_defaults_for_optional_fields():
    (site,) = parse_registry('[[site]]\nslug = "x"\nname = "س"\nhomepage = "https://www.x-news.com/ar/"\n').values()
    assert site.allowed_domains == ["x-news.com"]
    assert site.feeds == site.sitemaps == site.article_patterns == []
    assert site.verified is False and site.politeness == {} and site.profile is None and site.region == "unknown"


BASE = '[[site]]\nslug = "x"\nname = "x"\nhomepage = "https://x.com/"\n'


@pytest.mark.parametrize(
    "toml,message",
    [
        (BASE + BASE, "duplicate slug"),
        ('[[site]]\nslug = "x"\nhomepage = "https://x.com/"\n', "'name' is required"),
        (BASE + 'region = "atlantis"\n', "region"),
        ('[[site]]\nslug = "x"\nname = "x"\nhomepage = "x.com"\n', "absolute http"),
        (BASE + 'feeds = ["/feed"]\n', "absolute http"),
        (BASE + 'feeds = "https://x.com/feed"\n', "list of strings"),
        (BASE + "article_patterns = ['/story/(\\\\d+']\n", "bad article pattern"),
        (BASE + 'colour = "red"\n', "unknown field"),
        (BASE + 'allowed_domains = ["y.com"]\n', "not in allowed_domains"),
        (BASE + "verified = 1\n", "verified"),
        (BASE + "[site.politeness]\ndownload_delay = -1\n", "non-negative"),
        (BASE + "[site.politeness]\nspeed = 3\n", "unknown politeness"),
        ('[[site]]\nslug = "Bad Slug"\nname = "x"\nhomepage = "https://x.com/"\n', "slug"),
        ("site = 3\n", "array of tables"),
        ("[[site]\n", "invalid TOML"),
    ],
)
def test_invalid_registries_are_refused(toml, message):
    with pytest.raises(RegistryError, match=message):
        parse_registry(toml)


def test_load_registry_from_a_path(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text(BASE + "[site.politeness]\ndownload_delay = 2\nconcurrency = 1\n", encoding="utf-8")
    reg = load_registry(path)
    assert list(reg) == ["x"] and reg["x"].politeness == {"download_delay": 2, "concurrency": 1}
    path.write_text(BASE.replace('"x"', '"y"', 1), encoding="utf-8")
    import os

    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert list(load_registry(path)) == ["y"]  # edited file re-read
    reg2 = load_registry(path)
    reg2.pop("y")
    assert list(load_registry(path)) == ["y"]  # callers get their own dict


def test_adhoc_site():
    site = adhoc_site("https://www.some-arab-news.com/ar/home")
    assert site.slug == "some-arab-news.com"
    assert site.allowed_domains == ["some-arab-news.com"]
    assert site.homepage == "https://www.some-arab-news.com/ar/home"
    assert site.allows("https://m.some-arab-news.com/x") and not site.allows("https://other.com/")
    assert site.feeds == [] and site.sitemaps == [] and site.verified is False
    assert classify_url("https://www.some-arab-news.com/2024/05/20/story-x", site) == "article"
    assert adhoc_site("news.example.com").homepage == "https://news.example.com/"
    local = adhoc_site("http://127.0.0.1:8765/")
    assert local.slug == "127.0.0.1_8765" and local.allows("http://127.0.0.1:8765/a")
    with pytest.raises(ValueError):
        adhoc_site("ftp://x.com/")


def test_discovery_urls():
    site = adhoc_site("https://x-news.com/")
    urls = discovery_urls(site)
    assert urls[0] == "https://x-news.com/robots.txt"
    assert "https://x-news.com/sitemap.xml" in urls and urls[-1] == "https://x-news.com/"
    bbc = load_registry()["bbc-arabic"]
    assert discovery_urls(bbc)[:2] == ["https://www.bbc.com/robots.txt", "https://feeds.bbci.co.uk/arabic/rss.xml"]


def test_cli_sites_table(capsys):
    assert main(["sites"]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[0].split() == ["slug", "name", "country", "region", "verified", "feeds", "sitemaps"]
    assert len(lines) == len(load_registry()) + 2
    assert "الجزيرة نت" in out
    assert lines[-1] == f"{len(load_registry())} sites"


def test_cli_sites_json_and_region(capsys):
    assert main(["sites", "--json", "--region", "maghreb"]) == 0
    out = capsys.readouterr().out
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(r["region"] == "maghreb" for r in rows)
    assert {"slug", "name", "homepage", "feeds", "sitemaps", "verified"} <= rows[0].keys()
    assert "هسبريس" in out  # UTF-8, not \\u escapes


def test_cli_sites_bad_registry(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(BASE + BASE, encoding="utf-8")
    assert main(["sites", "list", "--registry", str(bad)]) == 2
    assert "duplicate slug" in capsys.readouterr().err
    assert main(["sites", "--registry", str(tmp_path / "missing.toml")]) == 2


def test_callers_cannot_corrupt_the_cached_registry():
    reg = load_registry()
    reg["youm7"].feeds.append("https://evil.example/feed")
    reg["youm7"].allowed_domains[:] = ["evil.example"]
    fresh = load_registry()
    assert "https://evil.example/feed" not in fresh["youm7"].feeds
    assert site_for_url("https://www.youm7.com/x").slug == "youm7"
