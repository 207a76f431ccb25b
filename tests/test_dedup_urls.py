"""Canonical URLs: one key per article whatever variant of its URL was met, and distinct articles stay distinct."""

from __future__ import annotations

import pytest

from newsbot.urls import canonicalize

SAME = [
    ("https://www.youm7.com/story/2020/8/24/وزير/4943459",
     ["http://youm7.com/story/2020/8/24/وزير/4943459/", "https://m.youm7.com/story/2020/8/24/وزير/4943459",
      "https://www.youm7.com/amp/story/2020/8/24/وزير/4943459", "https://www.youm7.com/story/2020/8/24/وزير/4943459#comments",
      "https://www.youm7.com/story/2020/8/24/%D9%88%D8%B2%D9%8A%D8%B1/4943459?utm_source=twitter&fbclid=IwAR0"]),
    ("http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html",
     ["http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/", "https://arabic.cnn.com/2013/middle_east/8/3/syria.clashes"]),
    ("https://example.com/news.php?newsid=123",
     ["https://example.com/news.php?newsid=123&PHPSESSID=abc&from=rss", "https://example.com/news.php?amp=1&newsid=123",
      "https://example.com/news.php?newsid=123&ns_source=x&xtor=RSS-1"]),
]
DIFFERENT = [
    ("https://example.com/news.php?newsid=123", "https://example.com/news.php?newsid=124"),
    ("https://example.com/article.aspx?ArticleID=5", "https://example.com/article.aspx?ArticleID=6"),
    ("https://example.com/story?nid=9&catid=2", "https://example.com/story?nid=10&catid=2"),
    ("https://a.example.com/x", "https://b.example.com/x"),
]


@pytest.mark.parametrize(("url", "variants"), SAME)
def test_variants_share_one_key(url, variants):
    key = canonicalize(url)
    assert all(canonicalize(v) == key for v in variants)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_article_ids_in_the_query_are_kept(a, b):
    assert canonicalize(a) != canonicalize(b)


@pytest.mark.parametrize("url", [u for u, vs in SAME for u in [u, *vs]] + [u for pair in DIFFERENT for u in pair])
def test_canonical_keys_are_fixed_points(url):
    # the store canonicalises keys it is given again (aliases, re-extraction): that must not move them
    key = canonicalize(url)
    assert canonicalize(key) == key
