"""Bytes -> text.

Order: a forced encoding > BOM > HTTP charset > valid (or almost valid) UTF-8 > a <meta> charset that decodes the
bytes into plausible text > detection (charset-normalizer, then an Arabic-aware choice between windows-1256 and
ISO-8859-6). Double-encoded UTF-8 ("Ø§Ù„..." mojibake) is repaired afterwards, only when it is really there.

"Plausible" matters because pages lie: a page whose bytes are windows-1256 Arabic but whose <meta> says
windows-1252 decodes without error as 1252 into Latin gibberish ("ÇáÓáÇã"). We score every candidate decoding by
how much of its non-ASCII text looks like real words of one script and keep the best.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from types import ModuleType

from newsbot.extract.options import current

# File signatures of things that are not HTML (checked on the first bytes).
_MAGIC = (
    b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf",
    b"Rar!", b"OggS", b"ID3", b"fLaC", b"\x00\x00\x01\x00", b"wOFF", b"wOF2", b"\x00asm", b"\xd0\xcf\x11\xe0",
    b"\x7fELF", b"MZ", b"II*\x00", b"MM\x00*",
)
_RIFF = re.compile(rb"^RIFF....(WEBP|WAVE|AVI )", re.S)
_MP4 = re.compile(rb"^....ftyp", re.S)
_CTRL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_CTRL_SET = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])  # the bytes _CTRL_BYTES matches

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.I
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:+-]+)""", re.I)

# Double-encoded UTF-8: a Latin-1 lead byte char (Â..ô) followed by a continuation byte char (U+0080..U+00BF).
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")
_WORD = re.compile(r"[^\W\d_]{2,}")
_NON_LETTER = re.compile(r"[\W\d_]")  # where a _WORD cannot run across
_WORD_CHUNK = 4_000
_C1 = re.compile("[\x80-\x9f]")
_ARABIC = re.compile("[\u0621-\u064a]{3}")
# The parse-work guard. lexbor's tree builder walks the stack of open elements for every block start tag
# ("close a p element in button scope") and for every end tag that does not close the current element, and
# compares each attribute with the tag's earlier ones: hostile markup makes parsing quadratic (100,000 nested
# <div>s, 200,000 stray end tags, one tag with 1,000,000 attributes: minutes). The guard tokenizes the way
# HTML5 does (comments such as `<!-->`, raw text of script/style, quoted attribute values) so that markup
# cannot hide from it, and adds up that work in one linear pass. Real pages stay far below the budget
# (ExtractOptions.max_parse_work; a few dozen deep, a few thousand tags); 50,000 nested <span>s around three
# paragraphs are cheap, and pass.
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr keygen frame".split())
# closed by their next sibling (or parent's end): they never deepen the tree for long
_FLAT = _VOID | frozenset("p li dt dd option optgroup tr td th rt rp".split())
# start tags that scan the stack of open elements for a <p> to close (HTML5 "in body" insertion mode)
_BLOCK = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer header "
    "hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 pre listing form li dd dt plaintext "
    "table hr xmp".split()
)
# one attribute of a tag (HTML5: a name runs to whitespace, / > or =; a value is quoted or runs to whitespace
# or >), or the / between them
_ATTR = re.compile(r"""[\t\n\f\r /]*(?:([^\t\n\f\r />][^\t\n\f\r />=]*)(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*"|'[^']*'|[^\t\n\f\r >]*))?)?""")
_QUOTE_OPEN = re.compile(r"""[\t\n\f\r ]*=[\t\n\f\r ]*(["'])""")
# one token, in document order: a raw text element's start tag with its text up to its own end tag (groups 1-3), a
# comment (HTML5 also ends one at "<!-->" and "<!--->"), a doctype / bogus comment / processing instruction, or a
# start or end tag (groups 4-7: "/", name, attributes, ">"). Attributes are read as HTML5 does (a quoted value runs
# to its closing quote whatever it holds); ">" is empty when the document ends first. Possessive, so each token is
# read once: every "<" and a letter starts a token, and a tag cut by the end of the document ends the scan.
_SECTION = r"""((?:[\t\n\f\r /]++|[^\t\n\f\r />][^\t\n\f\r />=]*+(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)|[^\t\n\f\r >"'][^\t\n\f\r >]*+|))?+)*+)(>?)"""
_TOKEN = re.compile(
    r"""<(?:"""  # (one leading literal: the scanner jumps from "<" to "<")
    # raw text elements, their text included up to their own end tag (or the end of the document)
    r"""(script|style|xmp|iframe|noembed|noframes|textarea|title|plaintext)(?=[\t\n\f\r />])""" + _SECTION
    + r"""(?:(?<=>)[^<]*+(?:<(?!/\1[\t\n\f\r />])[^<]*+)*+)?"""
    r"""|!--(?:-?>|.*?-->|.*\Z)|[!?][^>]*+>?|/(?![a-zA-Z])[^>]*+>?"""
    r"""|(/?)([a-zA-Z][^\t\n\f\r />]*+)""" + _SECTION + ")",
    re.S | re.I,
)
# Foreign content: inside <svg> or <math>, a <script>, <style>, <title>... is an SVG or MathML element whose content
# the tokenizer reads as markup, not as raw text (a tag of a million attributes in <svg><script> is parsed as one).
# No foreign element can open before the page's first "<svg" or "<math": from there on, the exact count reads raw
# text elements as plain tags and their content as markup (more work counted, never less).
_FOREIGN = re.compile(r"<(?:svg|math)(?=[\t\n\f\r />])", re.I)
_MARKUP_TOKEN = re.compile(
    r"""<(?:!--(?:-?>|.*?-->|.*\Z)|[!?][^>]*+>?|/(?![a-zA-Z])[^>]*+>?|(/?)([a-zA-Z][^\t\n\f\r />]*+)""" + _SECTION + ")",
    re.S | re.I,
)


def _token_rows(html: str) -> Iterable[tuple[str, ...]]:
    """_TOKEN.findall(html), raw text elements read as plain tags from the first possible foreign element on."""
    foreign = _FOREIGN.search(html)
    if foreign is None:
        return _TOKEN.findall(html)
    return _rows_from(html, foreign.start())


def _rows_from(html: str, cut: int) -> Iterator[tuple[str, ...]]:
    for m in _TOKEN.finditer(html):
        if m.group(1) and m.start() >= cut:
            name, attrs, gt = m.group(1, 2, 3)
            yield "", "", "", "", name, attrs, gt
            if gt:  # its "text" and the rest of the page: markup
                for slash, tag, section, end in _MARKUP_TOKEN.findall(html, m.start() + len(name) + len(attrs) + 2):
                    yield "", "", "", slash, tag, section, end
            return
        yield m.groups("")


# The fast path: most pages are shown cheap by one linear scan, and the exact count (a Python loop over every tag,
# costlier than lexbor's parse itself) runs only on the rest (1.4% of the wcxb-dev and corpus pages: many tags, or
# a long run of minified script). Every token starts with "<": with t of them the stack work is at most
# t(t+3)/2, and with no tag of more than FAST_MAX_ATTRS attributes the comparisons at most t * A(A+1)/2; a tag of
# more adds its own count. The scan reads attributes as HTML does (so that it never counts fewer than the
# tokenizer; it may count more, e.g. inside a script, which only sends the page to the exact count). It is C
# (_parsecost.c: 0.02-0.25 ms a corpus page); the same bound in regexes (cheap_by_regex, where no compiler built
# the module) reads tag bytes at about 2.9 ns each, as long as lexbor's parse. _RISKY_TAG keeps the regex
# cost linear: a stretch without separators holding many "<" would otherwise be rescanned from each of them.
FAST_MAX_ATTRS = 32
FAST_NAME_RUN = 300
_ATTR_BYTES = (rb"""[\t\n\f\r /]*+[^\t\n\f\r />][^\t\n\f\r />=]*+"""
               rb"""(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >"'][^\t\n\f\r >]*+|))?+""")
# one search finds both: a name run too long to scan from each "<" (group 1), or a possible tag of many attributes
_RISKY_TAG = re.compile(rb"</?[a-zA-Z](?:([^\t\n\f\r />]{%d})|[^\t\n\f\r />]*+(?:" % (FAST_NAME_RUN - 1)
                        + _ATTR_BYTES + rb"){%d})" % (FAST_MAX_ATTRS + 1))
_TAG_ATTRS = re.compile(rb"</?[a-zA-Z][^\t\n\f\r />]*+((?:" + _ATTR_BYTES + rb")*+)")
_ONE_ATTR = re.compile(_ATTR_BYTES)
FAST_MAX_HITS = 64  # possible tags of many attributes counted one by one (mostly code in scripts) before giving up

_compiled: ModuleType | None
try:  # the same bound in one pass of C (newsbot/extract/_parsecost.c, built at install when a compiler is there)
    from newsbot.extract import _parsecost as _compiled
except ImportError:
    _compiled = None


def tag_attributes(data: bytes, start: int) -> int:
    """How many attributes the tag starting at `start` holds, read as the HTML tokenizer reads them."""
    return _tag_span(data, start)[0]


def _tag_span(data: bytes, start: int) -> tuple[int, int]:
    """(tag_attributes, how many bytes reading them took)."""
    section = _TAG_ATTRS.match(data, start)
    if section is None:
        return 0, 0
    return len(_ONE_ATTR.findall(section.group(1))), section.end() - start


def cheap_to_parse(data: bytes, budget: int | None = None) -> bool:
    """True when `data` (a page's UTF-8 bytes) provably costs lexbor less than `budget` (None: the options'
    max_parse_work); False: count exactly."""
    if budget is None:
        budget = current().max_parse_work
    if _compiled is not None:
        return _compiled.cheap_to_parse(data, budget, FAST_MAX_ATTRS)
    return cheap_by_regex(data, budget)


def cheap_by_regex(data: bytes, budget: int) -> bool:
    """cheap_to_parse in regexes: where the compiled module was not built (no C compiler at install)."""
    tokens = data.count(b"<")
    a = FAST_MAX_ATTRS
    work = tokens * (tokens + 3) // 2 + tokens * (a * (a + 1) // 2)
    if work > budget:
        return False
    # a possible tag of more than A attributes (often code in a script) adds its own count; the search goes on
    # from the next character, since a real tag may start inside a false hit's span (a quoted "value" in a script)
    # Each false hit inside minified code ("r<n.length;...") reads on to the end of its would-be tag, and the next
    # "<" a few bytes on reads the same stretch again: once those reads pass a quarter of the page, the exact
    # count (one linear pass) is the cheaper answer.
    pos = read = 0
    for _ in range(FAST_MAX_HITS):
        hit = _RISKY_TAG.search(data, pos)
        if hit is None:
            return True
        if hit.group(1) is not None:
            return False
        n, span = _tag_span(data, hit.start())
        work += n * (n + 1) // 2
        read += span
        if work > budget or read > len(data) // 4:
            return False
        pos = hit.start() + 1
    return False


def nesting_too_deep(html: str, budget: int | None = None, data: bytes | None = None) -> bool:
    """True when parsing `html` would cost more than the guard allows (hostile or broken markup): more than
    `budget` (None: the options' max_parse_work).

    data: the UTF-8 bytes of `html` when the caller has them (spares encoding the page for the fast path)."""
    if budget is None:
        budget = current().max_parse_work
    if cheap_to_parse(data if data is not None else html.encode("utf-8", "surrogatepass"), budget):
        return False
    return parse_work(html, stop_at=budget) > budget


def parse_work(html: str, stop_at: int | None = None) -> int:
    """An upper estimate of the tree builder's work on `html`, stopping early once it passes `stop_at` (None: the
    options' max_parse_work)."""
    if stop_at is None:
        stop_at = current().max_parse_work
    # no fast path: a page of few tags can still hold one with a million attributes. One regex pass (_TOKEN, in C)
    # cuts the page into tags, raw text and comments; a tag's attributes are counted only when an upper bound says
    # they could cost something.
    work = 0
    stack: list[str] = []
    open_count: dict[str, int] = {}
    for raw_name, raw_attrs, raw_gt, slash, name, attrs, gt in _token_rows(html):
        if raw_name:  # script, style, title...: its text up to its own end tag came with it
            name, attrs, gt = raw_name, raw_attrs, raw_gt
        elif not name:  # comment, doctype, bogus comment
            continue
        length = len(attrs)
        if length > 1:
            if length <= 40:  # at most (length + 1) / 2 attributes: a few dozen comparisons
                a = (length + 1) // 2
                work += a * (a + 1) // 2
            else:
                # an attribute starts after an HTML whitespace, a "/" or a quoted value (which follows "="):
                # a bound from above (str.split() would also split on characters HTML reads as a name); only
                # a tag that could hold many is counted exactly
                a = (attrs.count(" ") + attrs.count("\n") + attrs.count("\t") + attrs.count("\r")
                     + attrs.count("\f") + attrs.count("=") + attrs.count("/") + 1)
                work += a * (a + 1) // 2 if a <= 64 else _attr_work(attrs, 0, length)
        if not gt:  # a tag the end of the document cuts (or an unclosed quote holds to the end)
            return work
        name = name.lower()
        if slash:  # an end tag
            if stack and stack[-1] == name:
                open_count[name] -= 1
                stack.pop()
            elif open_count.get(name):
                while stack:  # an end tag closes the open element of its name and all above it
                    top = stack.pop()
                    open_count[top] -= 1
                    work += 1
                    if top == name:
                        break
            else:  # a stray end tag: the whole stack is searched for it
                work += len(stack)
        else:
            if name in _BLOCK:
                work += len(stack)
            if name not in _FLAT:
                stack.append(name)
                open_count[name] = open_count.get(name, 0) + 1
            if raw_name and (name == "plaintext" or not raw_gt):
                return work
        if work > stop_at:
            return work
    return work


def _attr_work(html: str, pos: int, end: int) -> int:
    """The attribute comparisons of the tag whose attributes start at `pos`: 1 + 2 + ... + count."""
    attrs = 0
    while pos < end:
        a = _ATTR.match(html, pos, end)
        assert a is not None  # every part of _ATTR is optional: it always matches
        if a.group(1) is None:
            break
        attrs += 1
        pos = a.end()
        q = _QUOTE_OPEN.match(html, a.start(1) + len(a.group(1)))
        if q is not None and html.find(q.group(1), q.end(), end) < 0:
            break  # an unclosed quote: the rest is this attribute's value
    return attrs * (attrs + 1) // 2


def looks_binary(data: bytes) -> bool:
    """True for PDFs, images, archives, executables and other non-text bytes."""
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return False
    if head.startswith(_MAGIC) or _RIFF.match(head) or _MP4.match(head):
        return True
    if not head:
        return False
    if head.count(b"\x00") > len(head) // 100 + 2:
        return True
    # bytes of _CTRL_BYTES, counted by deleting them (C speed) rather than with a findall
    return len(head) - len(head.translate(None, _CTRL_SET)) > len(head) * 0.05


def _norm_label(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # WHATWG: latin-1/ascii labels mean windows-1252 in browsers (which has more printable characters).
    if name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return name


def _display(name: str) -> str:
    return {"utf-8": "utf-8", "cp1256": "windows-1256", "cp1252": "windows-1252", "iso8859-6": "iso-8859-6"}.get(
        name, name
    )


def _script_of(ch: str) -> str:
    o = ord(ch)
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
        return "arabic"
    if 0x00C0 <= o <= 0x024F:
        return "latin"
    if 0x0370 <= o <= 0x03FF:
        return "greek"
    if 0x0400 <= o <= 0x04FF:
        return "cyrillic"
    if 0x0590 <= o <= 0x05FF:
        return "hebrew"
    if 0x0E00 <= o <= 0x0E7F:
        return "thai"
    return "other"


_NOT_ARABIC = re.compile("[^\x00-\x7f\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff]")  # non-ASCII, not "arabic"
_NOT_LATIN = re.compile("[^\x00-\x7f\u00c0-\u024f]")  # non-ASCII, not "latin"
_HARAKAT = re.compile("[\u064b-\u0652]")


def _misdecoded_word(w: str) -> bool:
    """A word (letters only, some non-ASCII) that a wrong single-byte decoding would produce."""
    # the two common cases without a _script_of() call per letter
    if not _NOT_ARABIC.search(w):  # all its non-ASCII letters are Arabic script
        return len(_HARAKAT.findall(w)) > len(w) / 2
    if not _NOT_LATIN.search(w):  # all of them accented Latin
        return (len(w) - len(w.encode("ascii", "ignore"))) / len(w) > 0.34
    scripts = {_script_of(c) for c in w if not c.isascii()}
    latin_share = sum(1 for c in w if "\u00c0" <= c <= "\u024f") / len(w)
    if len(scripts) > 1:
        return True
    if scripts == {"latin"} and latin_share > 0.34:
        return True  # "ÇáÓáÇã": a word made mostly of accented letters is a mis-decoding
    # mostly harakat: windows-1256 bytes read as ISO-8859-6
    return scripts == {"arabic"} and sum(1 for c in w if "\u064b" <= c <= "\u0652") > len(w) / 2


def _count_non_ascii(text: str) -> int:
    """How many characters are not ASCII (C speed: no list of one-character matches)."""
    return len(text) - len(text.encode("ascii", "ignore"))


def _non_ascii_words(text: str, end: int) -> Iterator[str]:
    """The words of `_WORD.finditer(text, 0, end)` that are not pure ASCII, in order. Found a chunk at a time with
    findall (markup is thousands of ASCII words: no match object each), chunks cut where no word runs across."""
    pos, end = 0, min(len(text), end)
    while pos < end:
        stop = min(pos + _WORD_CHUNK, end)
        if stop < end:
            m = _NON_LETTER.search(text, stop, end)
            stop = m.start() if m else end
        for w in _WORD.findall(text, pos, stop):
            if not w.isascii():
                yield w
        pos = stop


def plausibility(text: str) -> float:
    """0..1: how much the non-ASCII letters of `text` look like real words (higher is better).

    Real text in a non-Latin script has words made mostly of that script; a wrong single-byte decoding gives
    accented Latin soup (ÇáÓáÇã), words mixing scripts, C1 controls and replacement characters.
    """
    good = bad = seen = 0
    verdicts: dict[str, bool] = {}  # words repeat a lot within a page: judge each once
    for w in _non_ascii_words(text, 200_000):
        seen += 1
        if seen > 400:  # plenty to judge a decoding; keeps this cheap on big pages
            break
        is_bad = verdicts.get(w)
        if is_bad is None:
            is_bad = verdicts[w] = _misdecoded_word(w)
        if is_bad:
            bad += len(w)
        else:
            good += len(w)
    sample = text[:200_000]
    junk = sample.count("\ufffd") + len(_C1.findall(sample))
    total = good + bad + 3 * junk
    return 1.0 if total == 0 else good / total


def _strict(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few invalid sequences (bad bytes pasted into a UTF-8 page): decode with replacement."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = _count_non_ascii(text) - bad
    if multibyte >= 20 and bad <= max(3, multibyte // 100):
        return text
    return None


_HIGH_BYTES = bytes(range(0x80, 0x100))


def _damaged_utf8(data: bytes) -> str | None:
    """UTF-8 damaged past `_mostly_utf8` (a quarter or a third of its bytes broken): still UTF-8 when a third of
    its non-ASCII bytes or more form valid sequences, which a legacy single-byte page's bytes almost never do (windows-1256
    Arabic letters are followed by letters, not by continuation bytes). Decoded with replacement characters:
    the intact words survive, where a windows-1256 reading turns every one into mojibake."""
    high = len(data) - len(data.translate(None, _HIGH_BYTES))  # (counted in C: no list of every byte)
    if high < 40:
        return None
    # bytes in valid multi-byte sequences: what a lenient decoding keeps, less the ASCII
    in_sequences = len(data.decode("utf-8", errors="ignore").encode("utf-8")) - (len(data) - high)
    if in_sequences * 3 < high:  # windows-1256 pages of the corpus: at most 5%; random bytes: about 15%
        return None
    return data.decode("utf-8", errors="replace")


def repair_mojibake(text: str, raw: bytes | None = None) -> str:
    """Undo UTF-8 that was decoded as Latin-1/windows-1252 and encoded again; no-op on normal text.

    `raw`, the UTF-8 bytes `text` came from, allows a cheap first test: every mojibake pair starts with a
    character in U+00C2..U+00F4, which UTF-8 writes with a 0xC3 lead byte (a C-speed count, unlike the regex).
    """
    # find() is a memchr; count() walks byte by byte: most pages have no 0xC3 byte at all
    if raw is not None and (raw.find(b"\xc3", 0, 800_000) < 0 or raw.count(b"\xc3", 0, 800_000) < 8):
        return text
    hits = len(_MOJIBAKE.findall(text, 0, 200_000))
    if hits < 8:
        return text
    non_ascii = _count_non_ascii(text[:200_000])
    if hits * 2 < non_ascii * 0.6:  # each hit covers 2 chars; most non-ASCII must be mojibake pairs
        return text
    for enc in ("latin-1", "cp1252"):
        try:
            return text.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    import ftfy  # slower, handles pages mixing clean and double-encoded parts

    return ftfy.fix_encoding(text)


def declared_charset(data: bytes) -> str | None:
    """The charset a <meta> tag (or XML declaration) claims, normalised; None when absent or unknown."""
    head = data[:8192]
    m = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return _norm_label(m.group(1).decode("ascii", "ignore")) if m else None


def _detect(data: bytes) -> tuple[str, str] | None:
    # Fast path: undeclared or mislabelled legacy pages here are overwhelmingly Arabic single-byte codepages.
    # A decoding that reads as clean words settles it without the (much slower) statistical detector.
    for enc in ("cp1256", "iso8859-6"):
        text = _strict(data, enc)
        if text is not None and plausibility(text) >= 0.95 and _ARABIC.search(text):
            return text, enc
    candidates: list[tuple[str, str]] = []
    from charset_normalizer import from_bytes  # (only for pages no declaration or check decides: a rare path)

    best = from_bytes(data[:300_000]).best()
    if best is not None:
        enc = _norm_label(best.encoding) or best.encoding
        text = _strict(data, enc)
        if text is not None:
            candidates.append((text, enc))
    # charset-normalizer confuses windows-1256 and ISO-8859-6 on short Arabic texts: try both, keep the best.
    for enc in ("cp1256", "iso8859-6"):
        if all(enc != e for _, e in candidates):
            text = _strict(data, enc)
            if text is not None:
                candidates.append((text, enc))
    if not candidates:
        return None
    return max(candidates, key=lambda c: plausibility(c[0]))


def decode_html(data: bytes, http_charset: str | None = None, forced: bool = False) -> tuple[str, str]:
    """Decode a page's bytes; returns (text, label of the encoding used)."""
    text, label, _ = decode_html_utf8(data, http_charset, forced)
    return text, label


def _as_is(text: str, data: bytes) -> tuple[str, str, bytes | None]:
    """A strict UTF-8 decoding of `data`, mojibake repaired: `data` are its UTF-8 bytes unless it was repaired."""
    repaired = repair_mojibake(text, data)
    return repaired, "utf-8", (data if repaired is text else None)


def decode_html_utf8(data: bytes, http_charset: str | None = None, forced: bool = False
                     ) -> tuple[str, str, bytes | None]:
    """decode_html, plus the text's UTF-8 bytes when they are `data` itself (else None): a UTF-8 page can then be
    parsed from its own bytes instead of encoding the text again."""
    http = _norm_label(http_charset)
    if forced and http:
        return data.decode(http, errors="replace"), _display(http), None
    if data.startswith(codecs.BOM_UTF8):
        return repair_mojibake(data[3:].decode("utf-8", errors="replace"), data), "utf-8", None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16", None
    if http:
        text = _strict(data, http)
        if text is not None and (http == "utf-8" or plausibility(text) >= 0.5):
            return _as_is(text, data) if http == "utf-8" else (text, _display(http), None)
        if http == "utf-8":
            mostly = _mostly_utf8(data)
            if mostly is not None:
                return repair_mojibake(mostly, data), "utf-8", None
    text = _strict(data, "utf-8")
    if text is not None:
        return _as_is(text, data)
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return repair_mojibake(mostly, data), "utf-8", None
    meta = declared_charset(data)
    if meta == "utf-8":  # declared UTF-8 and nearly all of it is: a few bad bytes do not make it another charset
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        if bad <= max(3, (_count_non_ascii(text) - bad) // 20):
            return repair_mojibake(text, data), "utf-8", None
    if meta and meta != "utf-8":
        text = _strict(data, meta)
        if text is not None and plausibility(text) >= 0.8:
            return text, _display(meta), None
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged, "utf-8", None
    detected = _detect(data)
    if detected is not None:
        return detected[0], _display(detected[1]), None
    return data.decode("utf-8", errors="replace"), "utf-8", None
