"""Near-duplicate detection: MinHash signatures of word shingles of the normalised Arabic body.

The signatures and their LSH band buckets are persisted by the store (tables `minhashes` and
`lsh_bands`), so an agency story stored yesterday links today's copy from another site. This
module holds the pure part: text normalisation, shingling, signatures, bands and similarity.

Parameters: 3-word shingles, 128 permutations, LSH tuned by datasketch for a Jaccard threshold
of 0.5 (25 bands x 5 rows), candidates confirmed by their estimated Jaccard >= 0.5. Wire copies
with their own intro or outro and re-published articles with a few sentences edited stay well
above 0.5; two different stories from the same site, even on the same subject, share few
3-word shingles.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from newsbot.lexicon import FoldOptions, fold

SHINGLE_WORDS = 3
NUM_PERM = 128
THRESHOLD = 0.5
SEED = 1
SCHEME = "affine32"
# datasketch's optimum for THRESHOLD and NUM_PERM (datasketch.lsh._optimal_param(0.5, 128, 0.5, 0.5)), written
# out: datasketch (and the 60 MB of scipy it imports) is only a test oracle, never a runtime dependency
BANDS, ROWS = 25, 5
PARAMS = f"minhash:{SCHEME}:perm={NUM_PERM}:seed={SEED}:shingle={SHINGLE_WORDS}:bands={BANDS}x{ROWS}:bucket32"

# Arabic orthographic variants that copy-editors change freely, folded by the one lexicon fold with the options the
# stored signatures were made with: compatibility forms first, hamza seats and digits folded, zero-width characters
# and spacing left as they are (the tokeniser splits on them), ۀ kept, casefold
_FOLD = FoldOptions(compat=True, format_chars=False, persian_heh=False, casefold=True, spaces=False)
_WORD = re.compile(r"\w+")

_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations (a, b) for NUM_PERM and SEED, drawn as `MinHash._init_permutations` draws
    them (datasketch 2.0: one RandomState(seed); `a` odd, then `b`), so that the store's signatures stay those of
    `datasketch.MinHash(num_perm, seed, scheme="affine32")` without importing datasketch and the scipy it pulls
    in (tests/test_dedup.py compares the two on corpus pages)."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _direct_signature(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> bytes:
    """datasketch's affine32 MinHash of pre-hashed values: MurmurHash3 fmix32, then min of a*h + b (mod 2^32).

    The same arithmetic as MinHash.update_batch, minus its per-value Python loop (half a signature's cost).
    """
    if not hashes.size:
        return b"\xff" * (4 * NUM_PERM)  # datasketch's empty MinHash: every value at its maximum
    s1, m1, s2, m2, s3 = _FMIX32
    h = hashes.astype(np.uint32)
    h ^= h >> s1
    h *= m1
    h ^= h >> s2
    h *= m2
    h ^= h >> s3
    phv = h[:, None] * a
    phv += b
    return np.minimum.reduce(phv, axis=0).astype("<u4", copy=False).tobytes()


def normalise_text(text: str) -> str:
    """Fold the variants that do not change the story: diacritics, tatweel, alef/ya/ta forms, digits, case."""
    return fold(text, _FOLD)


def words(text: str) -> list[str]:
    """The \\w+ runs of the normalised text (whitespace never is \\w: split first, regex only tokens with punctuation)."""
    return _tokens(normalise_text(text))


def _tokens(norm: str) -> list[str]:
    out: list[str] = []
    for tok in norm.split():
        if tok.isalnum():  # the usual case, and exactly one \\w+ run (\\w = alphanumeric or '_')
            out.append(tok)
        else:
            out += _WORD.findall(tok)
    return out


# common punctuation (never \\w): a space in its place leaves the \\w+ runs as they are
_PUNCTUATION = tuple(".,،؛:;!?؟\"'()-«»…/")
_ASCII_SPACES = tuple(" \t\n\r\x0b\x0c")  # the whitespace bytes.split() splits on


def _utf8_tokens(text: str) -> list[bytes]:
    """[w.encode() for w in words(text)], mostly without a str per word: when the normalised text is only
    word characters and ASCII whitespace (once common punctuation is blanked), its UTF-8 split on whitespace
    is exactly the words' UTF-8 (multi-byte UTF-8 sequences hold no ASCII byte)."""
    norm = normalise_text(text)
    for mark in _PUNCTUATION:
        if mark in norm:
            norm = norm.replace(mark, " ")
    letters = norm
    for space in _ASCII_SPACES:
        if space in letters:
            letters = letters.replace(space, "")
    if letters and not letters.isalnum():  # other punctuation, '_', exotic spaces: the general path
        return [tok.encode() for tok in _tokens(norm)]
    return norm.encode().split()


_SHINGLE_MUL = np.uint64(0x9E3779B97F4A7C15)
_SHIFT29 = np.uint64(29)
_LOW32 = np.uint64(0xFFFFFFFF)


def shingle_hashes(text: str, n: int = SHINGLE_WORDS) -> np.ndarray:
    """32-bit hashes of the n-word shingles (word hashes combined with numpy: no string per shingle)."""
    toks = _utf8_tokens(text)
    if not toks:
        return np.zeros(0, dtype=np.uint64)
    h = np.fromiter(map(zlib.crc32, toks), dtype=np.uint64, count=len(toks))
    if len(h) < n:
        h = np.concatenate([h, np.zeros(n - len(h), dtype=np.uint64)])
    acc = h[: len(h) - n + 1].copy()
    # uint64 arrays wrap silently (numpy warns only for scalars): no errstate needed, it costs per call
    for i in range(1, n):
        acc *= _SHINGLE_MUL
        acc += h[i : len(h) - n + 1 + i]
    acc ^= acc >> _SHIFT29
    acc &= _LOW32
    return acc  # repeats are harmless to a minimum: no need to make them unique


def warm() -> None:
    """Draw the permutations now, so that the first record's signature does not pay for it (a crawl's first
    item, inside the crawl's clock)."""
    _permutations()


# (content_hash of the body signed, its signature, its band buckets): computed ahead where the CPU is free
SignedAhead = tuple[str | None, bytes, tuple[int, ...]]


def signed_ahead(content_hash: str | None, body: str) -> SignedAhead:
    """A body's signature made ahead of the pipelines (extraction workers, helper processes); carried on the
    crawl's item (newsbot.crawled.CrawledPage.signed_ahead) to `signature_for`."""
    sig = signature(body)
    return content_hash, sig, _band_buckets(sig)


def signature_for(record: Any, ahead: SignedAhead | None = None) -> bytes:
    """The record's signature: the one made ahead when its body has not changed since, else computed now
    (its band buckets, made ahead too, are then what `band_buckets` answers for it)."""
    if ahead is not None and ahead[0] and ahead[0] == record.content_hash:
        _remember_buckets(ahead[1], ahead[2])
        return ahead[1]
    return signature(record.body)


def signature(text: str) -> bytes:
    """The MinHash signature as bytes (what the store keeps): datasketch's, computed directly (see above)."""
    return _direct_signature(shingle_hashes(text), *_permutations())


_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT33 = np.uint64(33)
_BAND_SEEDS = (np.arange(BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)


# the buckets of the last signatures asked (three times per record: look-up, match, storage), oldest out first;
# the ones computed ahead join them (signature_of_record)
_BUCKETS: dict[bytes, tuple[int, ...]] = {}
_BUCKETS_KEPT = 256


def band_buckets(sig: bytes) -> tuple[int, ...]:
    """One signed 32-bit bucket id per LSH band; the band number is mixed in, so one index serves all bands.

    32 bits keep the index small (it is written at random places: its size is what costs); a chance
    collision only adds a candidate, which the signature comparison then rejects.
    """
    found = _BUCKETS.get(sig)
    if found is None:
        found = _band_buckets(sig)
        _remember_buckets(sig, found)
    return found


def _band_buckets(sig: bytes) -> tuple[int, ...]:
    return tuple(band_buckets_array(np.frombuffer(sig, dtype="<u4")[None, :])[0].tolist())


def _remember_buckets(sig: bytes, buckets: tuple[int, ...]) -> None:
    if sig not in _BUCKETS and len(_BUCKETS) >= _BUCKETS_KEPT:
        try:
            del _BUCKETS[next(iter(_BUCKETS))]
        except (KeyError, RuntimeError, StopIteration):  # another thread got there first: the bound still holds
            pass
    _BUCKETS[sig] = buckets


def band_buckets_array(sigs: np.ndarray) -> np.ndarray:
    """`band_buckets` of each row of an (n, NUM_PERM) uint32 array of signatures, as an (n, BANDS) int32 array
    (the store's in-memory band index is built from all stored signatures at once with it)."""
    n = sigs.shape[0]
    # (ROWS, n, BANDS): each step below reads one row of every band of every signature
    cols = sigs[:, : BANDS * ROWS].reshape(n, BANDS, ROWS).transpose(2, 0, 1).astype(np.uint64)
    h = np.broadcast_to(_BAND_SEEDS, (n, BANDS)).copy()
    for col in cols:  # uint64 arrays wrap silently: no errstate needed
        h ^= col
        h *= _M1
        h ^= h >> _SHIFT33
    h = (h * _M2) ^ (h >> _SHIFT29)
    return (h >> np.uint64(32)).astype(np.uint32).view(np.int32)


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    a = np.frombuffer(sig_a, dtype="<u4")
    b = np.frombuffer(sig_b, dtype="<u4")
    if a.shape != b.shape or not a.size:
        return 0.0
    return float(np.count_nonzero(a == b)) / a.size


def low_bytes(sigs: np.ndarray) -> np.ndarray:
    """The low byte of each value of (n, NUM_PERM) uint32 signatures: a 128-byte sketch of each. Equal values have
    equal low bytes, so the share of equal low bytes is never under `similarity`: a candidate whose sketch shares
    fewer than THRESHOLD of them is under THRESHOLD exactly too, and need not be read (b-bit minwise hashing's
    bound, used only to rule out)."""
    return sigs.astype(np.uint8)  # the value modulo 256


def sketch_may_match(sig: bytes, sketches: np.ndarray) -> np.ndarray:
    """For each row of (k, NUM_PERM) uint8 sketches: whether the signature it sketches may reach THRESHOLD."""
    mine = low_bytes(np.frombuffer(sig, dtype="<u4"))
    if not mine.size or sketches.shape[1:] != mine.shape:
        return np.ones(len(sketches), dtype=bool)
    return np.count_nonzero(sketches == mine, axis=1) / mine.size >= THRESHOLD


def most_similar(sig: bytes, candidates: Sequence[bytes]) -> tuple[float, int] | None:
    """(similarity, index) of the candidate signature nearest `sig` at THRESHOLD or above, the first one on a tie;
    None if there is none. `similarity` of each, in one comparison: a record can have 200 candidates."""
    a = np.frombuffer(sig, dtype="<u4")
    if not a.size:
        return None
    width = len(sig)
    kept = [i for i, cand in enumerate(candidates) if len(cand) == width]  # other parameters never compare
    if not kept:
        return None
    sigs = np.frombuffer(b"".join([candidates[i] for i in kept]), dtype="<u4").reshape(len(kept), a.size)
    equal = np.count_nonzero(sigs == a, axis=1)
    best = int(np.argmax(equal))  # the first of the most similar
    sim = float(equal[best]) / a.size
    return (sim, kept[best]) if sim >= THRESHOLD else None


@dataclass
class Match:
    """The earlier stored article a record duplicates."""

    key: str  # canonical key of the article linked to (the root of its cluster)
    cluster_id: str
    similarity: float  # 1.0 for an exact content-hash match
    method: str  # 'exact' | 'near'


def cluster_id_for(key: str) -> str:
    """A new cluster's id: stable, derived from its first article's canonical key."""
    return "c" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
