"""Near-duplicate detection: the real CNN pair, re-published copies, distinct stories, LSH state across runs."""

from __future__ import annotations

import random

import pytest

from newsbot import dedup
from newsbot.store import open_store, record_key
from pipelines import run_records
from tests.support import store as support
from tests.support.store import corpus_pages, corpus_record, make_record

CNN = "arabic.cnn.com__syria-clashes-2013"

# the storage fixtures (parametrized over SQLite and PostgreSQL), used by name below
store = support.store
store_url = support.store_url


def _cnn_pair(corpus):
    pages = {page.stem: (page, url) for page, url in corpus_pages(corpus)}
    page, url = pages[CNN]
    twin, _ = pages[CNN + "__near-duplicate"]
    return corpus_record(page, url), corpus_record(twin, url, as_url="https://www.example-wire.net/world/syria-clashes")


def test_arabic_normalisation_folds_spelling_variants():
    assert dedup.words("أَحْمَد إلى المدرسةِ") == dedup.words("احمد الى المدرسه")
    assert dedup.words("عـــاجل ٢٠٢٤") == ["عاجل", "2024"]


def test_lsh_parameters_are_datasketch_optimum():
    from datasketch.lsh import _optimal_param

    assert (dedup.BANDS, dedup.ROWS) == _optimal_param(dedup.THRESHOLD, dedup.NUM_PERM, 0.5, 0.5)
    assert dedup.BANDS * dedup.ROWS <= dedup.NUM_PERM


def test_signature_similarity_tracks_jaccard():
    rng = random.Random(3)
    base = make_record(1, words=300).body.split(" ")
    edited = list(base)
    for _ in range(15):
        edited[rng.randrange(len(edited))] = "مختلف"
    sim_edit = dedup.similarity(dedup.signature(" ".join(base)), dedup.signature(" ".join(edited)))
    sim_other = dedup.similarity(dedup.signature(" ".join(base)), dedup.signature(make_record(2, words=300).body))
    assert sim_edit > 0.6 > 0.1 > sim_other


@pytest.mark.corpus
def test_cnn_near_duplicate_pair_is_linked(corpus, store):
    original, twin = _cnn_pair(corpus)
    stats = run_records([original, twin], store)
    assert stats["newsbot/items/new"] == 2
    assert stats["newsbot/items/near_duplicate"] == 1
    a, b = store.row(record_key(original)), store.row(record_key(twin))
    assert a["duplicate_of"] is None
    assert b["duplicate_of"] == record_key(original)
    assert a["cluster_id"] == b["cluster_id"]


@pytest.mark.corpus
def test_republished_with_new_headline_and_edits_is_linked(corpus, store):
    original, copy = _cnn_pair(corpus)
    # another site republishes it: new headline, its own intro, a sentence dropped
    paragraphs = original.body.split("\n\n")
    copy.title = "اشتباكات عنيفة في ريف دمشق والمعارضة تسيطر على مستودعات أسلحة"
    copy.body = "\n\n".join(["نقلا عن وكالات الأنباء: تابع موقعنا آخر التطورات في سوريا."] + paragraphs[:-1])
    copy.finalise()
    assert copy.content_hash != original.content_hash
    run_records([original, copy], store)
    linked = store.row(record_key(copy))
    assert linked["duplicate_of"] == record_key(original)
    assert linked["cluster_id"] == store.row(record_key(original))["cluster_id"]


@pytest.mark.corpus
def test_distinct_articles_from_the_same_site_are_not_linked(corpus, store):
    records = [corpus_record(page, url) for page, url in corpus_pages(corpus) if page.name.startswith("youm7.com")]
    assert len(records) == 3
    stats = run_records(records, store)
    assert stats["newsbot/items/new"] == 3
    assert "newsbot/items/near_duplicate" not in stats
    rows = [store.row(record_key(r)) for r in records]
    assert all(r["duplicate_of"] is None for r in rows)
    assert len({r["cluster_id"] for r in rows}) == 3


def test_synthetic_distinct_records_have_no_false_links(store):
    stats = run_records([make_record(i, words=120) for i in range(300)], store)
    assert stats["newsbot/items/new"] == 300
    assert stats.get("newsbot/items/near_duplicate", 0) == 0


def test_lsh_state_survives_across_runs(store_url):
    story = make_record(1, words=250)
    with open_store(store_url) as s:
        run_records([story] + [make_record(i, words=150) for i in range(2, 40)], s)
    # the next day, in a new process: another site carries the same story with a few words changed
    words = story.body.split(" ")
    words[10] = words[50] = words[100] = "تعديل"
    copy = make_record(1000, site="other-site.com", body=" ".join(words))
    with open_store(store_url) as s:
        stats = run_records([copy], s)
        assert stats["newsbot/dedup/near"] == 1
        assert s.row(record_key(copy))["duplicate_of"] == record_key(story)


def test_recrawl_of_a_duplicate_keeps_its_link_and_no_cycle(store):
    a = make_record(1, words=200)
    b = make_record(2, site="mirror.com", body=a.body)
    run_records([a, b], store)
    run_records([a, b], store)  # the original is re-crawled after its copy: it must not become the copy's duplicate
    assert store.row(record_key(a))["duplicate_of"] is None
    assert store.row(record_key(b))["duplicate_of"] == record_key(a)


def test_rebuild_relinks_everything_in_order(store):
    a = make_record(1, words=200)
    b = make_record(2, site="mirror.com", body=a.body + " إضافة")
    run_records([a, b, make_record(3)], store)
    store.db.execute("UPDATE articles SET duplicate_of = NULL, cluster_id = NULL")
    counts = store.rebuild_dedup()
    assert counts["articles"] == 3 and counts["near"] + counts["exact"] == 1
    assert store.row(record_key(b))["duplicate_of"] == record_key(a)


@pytest.mark.parametrize("text", [
    "قال الوزير: «الاتفاق قريب»، وأضاف (في مؤتمر صحفي) إن المحادثات... مستمرة!",
    "snake_case words, tabs\tand\r\nbreaks", "فاصل\u2028سطر و\u00a0مسافة و\x1cفاصل", "؟!...", "", "عاجل ٢٠٢٤ - ٣٠%",
])
def test_utf8_tokens_are_the_words_encoded(text):
    # the signature's fast tokeniser must give exactly what words() gives: stored signatures compare across runs
    assert dedup._utf8_tokens(text) == [w.encode() for w in dedup.words(text)]


def test_hot_buckets_go_through_the_sorted_band_query(store, monkeypatch):
    from newsbot.store import core

    monkeypatch.setattr(core, "BAND_ROWS_UNSORTED", 0)  # every look-up that finds rows takes the sorted path
    a = make_record(1, words=200)
    words = a.body.split(" ")
    words[5] = words[60] = "تعديل"
    b = make_record(2, site="mirror.com", body=" ".join(words))
    stats = run_records([a, make_record(3), b], store)
    assert stats["newsbot/dedup/near"] == 1
    assert store.row(record_key(b))["duplicate_of"] == record_key(a)


def test_verified_permutations_are_cached_per_datasketch_release(tmp_path, monkeypatch):
    """The permutations datasketch derives are verified once, then read from a cache keyed by the datasketch
    release and the parameters, so a crawler process need not import datasketch (and scipy) at all."""
    import subprocess
    import sys

    import numpy as np

    from newsbot import dedup

    monkeypatch.setenv("NEWSBOT_CACHE_DIR", str(tmp_path))
    dedup._permutations.cache_clear()
    try:
        a, b = dedup._permutations()
        path = dedup._cache_path()
        assert path is not None and path.parent == tmp_path and path.exists()
        da, db = dedup._derive_permutations()
        assert np.array_equal(a, da) and np.array_equal(b, db)
        text = "قالت الوزارة في بيان إن المحادثات ستستأنف الأسبوع المقبل في العاصمة بحضور الوفود"
        expected = dedup.signature(text)
        # a fresh process with the cache: the same signature, without importing datasketch
        code = ("import sys; from newsbot import dedup; s = dedup.signature(sys.argv[1]); "
                "print(s.hex(), 'datasketch' in sys.modules)")
        env = {**__import__("os").environ, "NEWSBOT_CACHE_DIR": str(tmp_path)}
        out = subprocess.run([sys.executable, "-c", code, text], capture_output=True, text=True, env=env, check=True)
        sig_hex, imported = out.stdout.split()
        assert sig_hex == expected.hex() and imported == "False"
        # a damaged cache file is derived (and verified) again
        path.write_bytes(b"not an array")
        dedup._permutations.cache_clear()
        a2, b2 = dedup._permutations()
        assert np.array_equal(a2, da) and np.array_equal(b2, db)
    finally:
        dedup._permutations.cache_clear()
