/* The parse guard's fast path (newsbot/extract/decode.py cheap_to_parse), in one linear pass in C.

   The regex form of the same bound reads every byte inside tags through sre's alternations (about 2.9 ns a byte):
   on real pages it cost as much as lexbor's parse itself. This reads the bytes once, with the same grammar as
   decode._ATTR_BYTES, so it never counts fewer attributes in a tag than the HTML tokenizer does:

     tag        "<" "/"? [a-zA-Z] [^\t\n\f\r />]*  attribute*
     attribute  [\t\n\f\r /]* [^\t\n\f\r />] [^\t\n\f\r />=]*  ( [\t\n\f\r ]* "=" [\t\n\f\r ]* value )?
     value      '"' [^"]* '"'  |  "'" [^']* "'"  |  [^\t\n\f\r >"'] [^\t\n\f\r >]*  |  (nothing)

   Every "<" followed by a letter counts as a tag (also inside scripts and quoted values: that only counts more).
   Tags may overlap (a "<" inside a quoted value starts another), so a document could make the reads quadratic:
   once they pass a few times the page's length, the answer is "not shown cheap" and the exact count decides. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static inline int is_ws(unsigned char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }
static inline int is_sep(unsigned char c) { return is_ws(c) || c == '/'; }
static inline int is_letter(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

/* Attributes of the tag whose "<" is at s[start], and (in *end) where reading them stopped; -1: not a tag. */
static Py_ssize_t tag_attrs(const unsigned char *s, Py_ssize_t n, Py_ssize_t start, Py_ssize_t last_dq,
                            Py_ssize_t last_sq, Py_ssize_t *end) {
    Py_ssize_t j = start + 1, count = 0;
    if (j < n && s[j] == '/') j++;
    if (j >= n || !is_letter(s[j])) return -1;
    j++;
    while (j < n && !is_sep(s[j]) && s[j] != '>') j++;
    for (;;) {
        Py_ssize_t k = j;
        while (k < n && is_sep(s[k])) k++;
        if (k >= n || s[k] == '>') break;  /* no name follows: the separators are not part of the tag */
        k++;
        while (k < n && !is_sep(s[k]) && s[k] != '>' && s[k] != '=') k++;
        count++;
        Py_ssize_t m = k;
        while (m < n && is_ws(s[m])) m++;
        if (m < n && s[m] == '=') {
            m++;
            while (m < n && is_ws(s[m])) m++;
            if (m < n && (s[m] == '"' || s[m] == '\'')) {
                /* a quote with no closing one after it is no value: the name of the next attribute starts there */
                Py_ssize_t last = s[m] == '"' ? last_dq : last_sq;
                if (last > m) {
                    const unsigned char *q = memchr(s + m + 1, s[m], (size_t)(n - m - 1));
                    m = q - s + 1;
                }
            } else if (m < n && s[m] != '>') {
                while (m < n && !is_ws(s[m]) && s[m] != '>') m++;
            }
            k = m;
        }
        j = k;
    }
    *end = j;
    return count;
}

static Py_ssize_t last_of(const unsigned char *s, Py_ssize_t n, unsigned char c) {
    for (Py_ssize_t i = n - 1; i >= 0; i--)
        if (s[i] == c) return i;
    return -1;
}

/* 1: the tree builder's work on these bytes is provably at most `budget`; 0: count exactly. */
static int cheap(const unsigned char *s, Py_ssize_t n, long long budget, long long max_attrs) {
    long long tokens = 0;
    for (const unsigned char *p = s, *e = s + n; (p = memchr(p, '<', (size_t)(e - p))) != NULL; p++) tokens++;
    /* the stack work is at most t(t+3)/2; with no tag of more than max_attrs attributes, the comparisons at most
       t * A(A+1)/2 (decode.cheap_to_parse says why) */
    long long work = tokens * (tokens + 3) / 2 + tokens * (max_attrs * (max_attrs + 1) / 2);
    if (tokens > 3000000000LL || work > budget) return 0;
    Py_ssize_t last_dq = last_of(s, n, '"'), last_sq = last_of(s, n, '\'');
    long long read = 0, cap = 4LL * n + 4096;
    for (const unsigned char *p = s, *e = s + n; (p = memchr(p, '<', (size_t)(e - p))) != NULL; p++) {
        Py_ssize_t start = p - s, end = start;
        Py_ssize_t a = tag_attrs(s, n, start, last_dq, last_sq, &end);
        if (a < 0) continue;
        read += end - start;
        if (read > cap) return 0;
        if (a > max_attrs) {
            work += (long long)a * (a + 1) / 2;
            if (work > budget) return 0;
        }
    }
    return 1;
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
    {"tag_attributes", py_tag_attributes, METH_VARARGS,
     "tag_attributes(data, start) -> int: attributes of the tag at data[start], read as cheap_to_parse reads them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_parsecost", NULL, -1, methods};

PyMODINIT_FUNC PyInit__parsecost(void) { return PyModule_Create(&module); }
