/* The parse guard's fast path (newsbot/extract/decode.py cheap_to_parse), in one linear pass in C.

   The regex form of the same bound reads every byte inside tags through sre's alternations (about 2.9 ns a byte):
   on real pages it cost as much as lexbor's parse itself. This reads the bytes once, with the same grammar as
   decode._ATTR_BYTES, so it never counts fewer attributes in a tag than the HTML tokenizer does:

     tag        "<" "/"? [a-zA-Z] [^\t\n\f\r />]*  attribute*
     attribute  [\t\n\f\r /]* [^\t\n\f\r />] [^\t\n\f\r />=]*  ( [\t\n\f\r ]* "=" [\t\n\f\r ]* value )?
     value      '"' [^"]* '"'  |  "'" [^']* "'"  |  [^\t\n\f\r >"'] [^\t\n\f\r >]*  |  (nothing)

   Every "<" followed by a letter counts as a tag (also inside scripts and quoted values: that only counts more).
   Such tags may overlap (a "<" inside another tag's name or value); the tokenizer reads one tag after another, so
   of overlapping ones at most one is real, and the bound adds up the heaviest set of disjoint ones (scan_tag and
   heaviest_disjoint say how that stays cheap). */

#define _GNU_SOURCE  /* memrchr */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* byte classes, looked up in one table: the loops below test a class per byte */
enum { WS = 1, SLASH = 2, GT = 4, EQ = 8 };
#define SEP (WS | SLASH)
static const unsigned char CLASS[256] = {
    ['\t'] = WS, ['\n'] = WS, ['\f'] = WS, ['\r'] = WS, [' '] = WS, ['/'] = SLASH, ['>'] = GT, ['='] = EQ,
};
static inline int is_ws(unsigned char c) { return CLASS[c] & WS; }
static inline int is_sep(unsigned char c) { return CLASS[c] & SEP; }
static inline int is_letter(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

/* where the page's last `c` is (-1: none): a quote opened after it has no closing one. memrchr where the C library
   has it: a byte loop read a page without any ' from end to start, costlier than all the rest of the scan */
static Py_ssize_t last_of(const unsigned char *s, Py_ssize_t n, unsigned char c) {
#ifdef __GLIBC__
    const unsigned char *at = n > 0 ? memrchr(s, c, (size_t)n) : NULL;
    return at != NULL ? at - s : -1;
#else
    for (Py_ssize_t i = n - 1; i >= 0; i--)
        if (s[i] == c) return i;
    return -1;
#endif
}

/* One attribute read from `j` (a place where the next attribute may start): where reading it stopped, or -1 when
   none starts there (the tag ends). */
static Py_ssize_t next_attr(const unsigned char *s, Py_ssize_t n, Py_ssize_t j, Py_ssize_t last_dq,
                            Py_ssize_t last_sq) {
    Py_ssize_t k = j;
    while (k < n && is_sep(s[k])) k++;
    if (k >= n || s[k] == '>') return -1;
    k++;
    while (k < n && !(CLASS[s[k]] & (SEP | GT | EQ))) k++;
    Py_ssize_t m = k;
    while (m < n && is_ws(s[m])) m++;
    if (m < n && s[m] == '=') {
        m++;
        while (m < n && is_ws(s[m])) m++;
        if (m < n && (s[m] == '"' || s[m] == '\'')) {
            /* a quote with no closing one after it is no value: the next attribute's name starts there */
            Py_ssize_t last = s[m] == '"' ? last_dq : last_sq;
            if (last > m) m = (const unsigned char *)memchr(s + m + 1, s[m], (size_t)(n - m - 1)) - s + 1;
        } else if (m < n && s[m] != '>') {
            while (m < n && !(CLASS[s[m]] & (WS | GT))) m++;
        }
        k = m;
    }
    return k;
}

/* Where the name of the tag whose "<" is at s[start] begins its run (past the "<", a "/" and the first letter);
   -1: no tag starts there. */
static Py_ssize_t name_start(const unsigned char *s, Py_ssize_t n, Py_ssize_t start) {
    Py_ssize_t j = start + 1;
    if (j < n && s[j] == '/') j++;
    return j < n && is_letter(s[j]) ? j + 1 : -1;
}

/* Attributes of the tag whose "<" is at s[start], and (in *end) where reading them stopped; -1: not a tag. */
static Py_ssize_t tag_attrs(const unsigned char *s, Py_ssize_t n, Py_ssize_t start, Py_ssize_t last_dq,
                            Py_ssize_t last_sq, Py_ssize_t *end) {
    Py_ssize_t j = name_start(s, n, start), count = 0;
    if (j < 0) return -1;
    while (j < n && !(CLASS[s[j]] & (SEP | GT))) j++;
    for (Py_ssize_t next; (next = next_attr(s, n, j, last_dq, last_sq)) >= 0; j = next) count++;
    *end = j;
    return count;
}

/* The scan of a whole page. Tags overlap where a "<" sits inside another tag's name or value (minified code in a
   script: "for(r=0;r<n.length;r++)..."), and each would read on to the same far end: the square of the page.
   Reading attributes from a given place always goes on the same way, so what is read from each place where an
   attribute may start inside a tag that holds another "<" is kept (how many attributes follow, where they end),
   and a later tag that reaches such a place stops there: every place is read about once. A tag holding no "<"
   (nearly all of them) keeps nothing: no later tag can reach inside it. */
typedef struct { Py_ssize_t start, end; long long weight; } Hit;
typedef struct { Py_ssize_t at, end, count; } Kept;  /* at < 0: an empty slot */

typedef struct {
    const unsigned char *s;
    Py_ssize_t n, last_dq, last_sq, run_lo, run_hi, max_end;
    Kept *kept;  /* open addressing by place; size a power of two, at most half full */
    Py_ssize_t kept_size, kept_used;
    Py_ssize_t *path;  /* the places read in the current tag */
    Py_ssize_t path_len, path_cap;
    long long read;
    int failed;  /* out of memory, or too much to keep: "not shown cheap" */
} Scan;

static size_t slot_of(Py_ssize_t at, Py_ssize_t size) {
    return (size_t)(((unsigned long long)at * 0x9E3779B97F4A7C15ULL) >> 17) & (size_t)(size - 1);
}

static const Kept *find_kept(const Scan *sc, Py_ssize_t at) {
    if (sc->kept == NULL) return NULL;
    for (size_t i = slot_of(at, sc->kept_size);; i = (i + 1) & (size_t)(sc->kept_size - 1)) {
        if (sc->kept[i].at == at) return &sc->kept[i];
        if (sc->kept[i].at < 0) return NULL;
    }
}

#define MAX_KEPT (1 << 19)  /* places kept (24 bytes each, the table at most half full): beyond, count exactly */

static int put_kept(Scan *sc, Py_ssize_t at, Py_ssize_t count, Py_ssize_t end) {
    if (sc->kept_used >= MAX_KEPT) return 0;
    if (2 * (sc->kept_used + 1) > sc->kept_size) {
        Py_ssize_t size = sc->kept_size ? 2 * sc->kept_size : 1024;
        Kept *grown = malloc((size_t)size * sizeof(Kept));
        if (grown == NULL) return 0;
        for (Py_ssize_t i = 0; i < size; i++) grown[i].at = -1;
        for (Py_ssize_t i = 0; i < sc->kept_size; i++) {
            if (sc->kept[i].at < 0) continue;
            size_t j = slot_of(sc->kept[i].at, size);
            while (grown[j].at >= 0) j = (j + 1) & (size_t)(size - 1);
            grown[j] = sc->kept[i];
        }
        free(sc->kept);
        sc->kept = grown;
        sc->kept_size = size;
    }
    size_t j = slot_of(at, sc->kept_size);
    while (sc->kept[j].at >= 0 && sc->kept[j].at != at) j = (j + 1) & (size_t)(sc->kept_size - 1);
    if (sc->kept[j].at < 0) sc->kept_used++;
    sc->kept[j] = (Kept){at, end, count};
    return 1;
}

static int push_path(Scan *sc, Py_ssize_t j) {
    if (sc->path_len == sc->path_cap) {
        Py_ssize_t cap = sc->path_cap ? 2 * sc->path_cap : 256;
        Py_ssize_t *grown = realloc(sc->path, (size_t)cap * sizeof(Py_ssize_t));
        if (grown == NULL) return 0;
        sc->path = grown;
        sc->path_cap = cap;
    }
    sc->path[sc->path_len++] = j;
    return 1;
}

/* tag_attrs for the tag whose "<" is at `start` (and the next "<" at `next`), sharing what overlapping tags read;
   -1: not a tag. */
static Py_ssize_t scan_tag(Scan *sc, Py_ssize_t start, Py_ssize_t next, Py_ssize_t *end) {
    const unsigned char *s = sc->s;
    Py_ssize_t n = sc->n, j = name_start(s, n, start), count = 0;
    if (j < 0) return -1;
    if (j >= sc->run_lo && j < sc->run_hi) {
        j = sc->run_hi;  /* inside a name run read before: it ends where that one did */
    } else {
        Py_ssize_t lo = j;
        while (j < n && !(CLASS[s[j]] & (SEP | GT))) j++;
        sc->read += j - lo;
        sc->run_lo = lo;
        sc->run_hi = j;
    }
    int inside = start < sc->max_end;  /* only a tag starting inside an earlier one can reach what it kept */
    sc->path_len = 0;
    Py_ssize_t stop;
    for (;;) {
        const Kept *known = inside ? find_kept(sc, j) : NULL;
        if (known != NULL) {
            count += known->count;
            stop = known->end;
            break;
        }
        Py_ssize_t next = next_attr(s, n, j, sc->last_dq, sc->last_sq);
        if (next < 0) {
            stop = j;
            break;
        }
        if (!push_path(sc, j)) {
            sc->failed = 1;
            return -1;
        }
        sc->read += next - j;
        count++;
        j = next;
    }
    /* a "<" inside this tag may start another that reads on from one of its places: keep them */
    if (next < stop) {
        for (Py_ssize_t p = 0; p < sc->path_len; p++) {  /* from the p-th attribute's place: count - p */
            if (!put_kept(sc, sc->path[p], count - p, stop)) {
                sc->failed = 1;
                return -1;
            }
        }
    }
    if (stop > sc->max_end) sc->max_end = stop;
    *end = stop;
    return count;
}

static int by_end(const void *a, const void *b) {
    Py_ssize_t x = ((const Hit *)a)->end, y = ((const Hit *)b)->end;
    return (x > y) - (x < y);
}

#define SATURATED (LLONG_MAX / 4)

static long long add_sat(long long a, long long b) { return a > SATURATED - b ? SATURATED : a + b; }

/* The most attribute work real tags among the hits can cost. The tokenizer reads one tag after another, so the
   tags it really reads never overlap: of hits that overlap (the false hits in a script), at most one is real.
   The heaviest set of pairwise disjoint hits (weighted interval scheduling) bounds theirs from above. */
static long long heaviest_disjoint(Hit *hits, Py_ssize_t count) {
    qsort(hits, (size_t)count, sizeof(Hit), by_end);
    long long *best = malloc(((size_t)count + 1) * sizeof(long long));
    if (best == NULL) return SATURATED;
    best[0] = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t lo = 0, hi = k;  /* hits before k that end by k's start: a prefix of the sorted ones */
        while (lo < hi) {
            Py_ssize_t mid = lo + (hi - lo) / 2;
            if (hits[mid].end <= hits[k].start) lo = mid + 1;
            else hi = mid;
        }
        long long with_k = add_sat(hits[k].weight, best[lo]);
        best[k + 1] = with_k > best[k] ? with_k : best[k];
    }
    long long out = best[count];
    free(best);
    return out;
}

/* 1: the tree builder's work on these bytes is provably at most `budget`; 0: count exactly. */
static int cheap(const unsigned char *s, Py_ssize_t n, long long budget, long long max_attrs) {
    long long tokens = 0;
    for (const unsigned char *p = s, *e = s + n; (p = memchr(p, '<', (size_t)(e - p))) != NULL; p++) tokens++;
    /* the stack work is at most t(t+3)/2; with no tag of more than max_attrs attributes, the comparisons at most
       t * A(A+1)/2 (decode.cheap_to_parse says why); a tag of more adds its own */
    long long work = tokens * (tokens + 3) / 2 + tokens * (max_attrs * (max_attrs + 1) / 2);
    if (work > budget) return 0;
    Scan sc = {s, n, last_of(s, n, '"'), last_of(s, n, '\''), 0, 0, 0, NULL, 0, 0, NULL, 0, 0, 0, 0};
    Hit *hits = NULL;
    Py_ssize_t hit_count = 0, hit_cap = 0;
    long long all_hits = 0, cap = 8LL * n + 65536;
    int ok = 1;
    const unsigned char *e = s + n, *q = NULL;
    for (const unsigned char *p = memchr(s, '<', (size_t)n); p != NULL; p = q) {
        q = p + 1 < e ? memchr(p + 1, '<', (size_t)(e - p - 1)) : NULL;
        Py_ssize_t start = p - s, end = start;
        Py_ssize_t a = scan_tag(&sc, start, q != NULL ? q - s : n, &end);
        if (sc.failed || sc.read > cap) {  /* (a safety net: the reads stay near the page's length) */
            ok = 0;
            break;
        }
        if (a <= max_attrs) continue;
        if (hit_count == hit_cap) {
            hit_cap = hit_cap ? 2 * hit_cap : 64;
            Hit *grown = realloc(hits, (size_t)hit_cap * sizeof(Hit));
            if (grown == NULL) {
                ok = 0;
                break;
            }
            hits = grown;
        }
        long long w = (long long)a * (a + 1) / 2;
        hits[hit_count++] = (Hit){start, end, w};
        all_hits = add_sat(all_hits, w);
    }
    if (ok && add_sat(work, all_hits) > budget)  /* only overlapping hits can bring the bound down */
        ok = add_sat(work, heaviest_disjoint(hits, hit_count)) <= budget;
    free(hits);
    free(sc.kept);
    free(sc.path);
    return ok;
}

/* What scan_tag reads at every "<" of the page, in order: [(start, attributes, end)] for the tests. */
static PyObject *py_tag_spans(PyObject *self, PyObject *args) {
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "y*", &buf)) return NULL;
    const unsigned char *s = buf.buf;
    Py_ssize_t n = buf.len;
    Scan sc = {s, n, last_of(s, n, '"'), last_of(s, n, '\''), 0, 0, 0, NULL, 0, 0, NULL, 0, 0, 0, 0};
    PyObject *out = PyList_New(0);
    const unsigned char *e = s + n, *q = NULL;
    for (const unsigned char *p = n ? memchr(s, '<', (size_t)n) : NULL; out != NULL && p != NULL; p = q) {
        q = p + 1 < e ? memchr(p + 1, '<', (size_t)(e - p - 1)) : NULL;
        Py_ssize_t start = p - s, end = start;
        Py_ssize_t a = scan_tag(&sc, start, q != NULL ? q - s : n, &end);
        if (sc.failed) {
            Py_CLEAR(out);
            PyErr_NoMemory();
            break;
        }
        if (a < 0) continue;
        PyObject *row = Py_BuildValue("(nnn)", start, a, end);
        if (row == NULL || PyList_Append(out, row) < 0) Py_CLEAR(out);
        Py_XDECREF(row);
    }
    free(sc.kept);
    free(sc.path);
    PyBuffer_Release(&buf);
    return out;
}

static PyObject *py_cheap_to_parse(PyObject *self, PyObject *args) {
    Py_buffer buf;
    long long budget, max_attrs;
    if (!PyArg_ParseTuple(args, "y*LL", &buf, &budget, &max_attrs)) return NULL;
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = cheap((const unsigned char *)buf.buf, buf.len, budget, max_attrs);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return PyBool_FromLong(ok);
}

static PyObject *py_tag_attributes(PyObject *self, PyObject *args) {
    Py_buffer buf;
    Py_ssize_t start, end = 0;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &start)) return NULL;
    if (start < 0 || start >= buf.len || ((const unsigned char *)buf.buf)[start] != '<') {
        PyBuffer_Release(&buf);
        return PyLong_FromLong(0);
    }
    const unsigned char *s = buf.buf;
    Py_ssize_t a = tag_attrs(s, buf.len, start, last_of(s, buf.len, '"'), last_of(s, buf.len, '\''), &end);
    PyBuffer_Release(&buf);
    return PyLong_FromSsize_t(a < 0 ? 0 : a);
}

static PyMethodDef methods[] = {
    {"cheap_to_parse", py_cheap_to_parse, METH_VARARGS,
     "cheap_to_parse(data, budget, max_attrs) -> bool: lexbor's work on data is provably at most budget."},
    {"tag_spans", py_tag_spans, METH_VARARGS,
     "tag_spans(data) -> [(start, attributes, end)]: what cheap_to_parse reads at every possible tag, in order."},
    {"tag_attributes", py_tag_attributes, METH_VARARGS,
     "tag_attributes(data, start) -> int: attributes of the tag at data[start], read as cheap_to_parse reads them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_parsecost", NULL, -1, methods};

PyMODINIT_FUNC PyInit__parsecost(void) { return PyModule_Create(&module); }
