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
    lsh = pytest.importorskip("datasketch.lsh", reason="datasketch (a dev dependency) is the parameters' oracle")
    _optimal_param = lsh._optimal_param

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
def test_most_similar_is_the_first_best_of_the_pairwise_similarities():
    """The store checks all of a record's candidates in one comparison: the same answer as comparing them one by
    one in id order (the first of the most similar at THRESHOLD or above; signatures of other sizes never match)."""
    rng = random.Random(5)
    words = [f"w{i}" for i in range(400)]
    base = [rng.choice(words) for _ in range(300)]
    sig = dedup.signature(" ".join(base))
    matched = 0
    for trial in range(200):
        candidates = []
        for _ in range(rng.randrange(8)):
            edited = list(base)
            for i in rng.sample(range(len(edited)), rng.randrange(len(edited))):
                edited[i] = rng.choice(words)
            cand = dedup.signature(" ".join(edited))
            candidates.append(cand[: len(cand) // 2] if rng.random() < 0.1 else cand)
        if candidates and rng.random() < 0.3:
            candidates.append(candidates[rng.randrange(len(candidates))])  # a tie: the first one wins
        expected = None
        for i, cand in enumerate(candidates):
            sim = dedup.similarity(sig, cand)
            if sim >= dedup.THRESHOLD and (expected is None or sim > expected[0]):
                expected = (sim, i)
        assert dedup.most_similar(sig, candidates) == expected, trial
        matched += expected is not None
    assert 20 < matched < 180  # both answers were asked for
    assert dedup.most_similar(sig, []) is None


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
    from newsbot.store import neardup

    monkeypatch.setattr(neardup, "BAND_ROWS_UNSORTED", 0)  # every look-up that finds rows takes the sorted path
    a = make_record(1, words=200)
    words = a.body.split(" ")
    words[5] = words[60] = "تعديل"
    b = make_record(2, site="mirror.com", body=" ".join(words))
    stats = run_records([a, make_record(3), b], store)
    assert stats["newsbot/dedup/near"] == 1
    assert store.row(record_key(b))["duplicate_of"] == record_key(a)


def _datasketch_signature(text: str) -> bytes:
    """The oracle: datasketch's own MinHash of the same pre-hashed shingles (what `dedup.signature` reproduces)."""
    datasketch = pytest.importorskip("datasketch", reason="datasketch (a dev dependency) is the signatures' oracle")
    m = datasketch.MinHash(num_perm=dedup.NUM_PERM, seed=dedup.SEED, hashfunc=lambda v: v, scheme=dedup.SCHEME)
    m.update_batch(dedup.shingle_hashes(text).tolist())
    return m.hashvalues.astype("<u4").tobytes()


@pytest.mark.corpus
def test_signatures_are_datasketch_minhashes_of_corpus_bodies(corpus):
    """numpy draws the permutations itself: bit for bit datasketch's, on every corpus article body."""
    bodies = [corpus_record(page, url).body for page, url in corpus_pages(corpus)]
    assert len(bodies) >= 5
    for body in [*bodies, "", "كلمتان فقط"]:
        assert dedup.signature(body) == _datasketch_signature(body)


def test_signing_imports_neither_datasketch_nor_scipy():
    import subprocess
    import sys

    code = ("import sys; from newsbot import dedup; dedup.signature('قالت الوزارة في بيان إن المحادثات ستستأنف'); "
            "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
