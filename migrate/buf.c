/* buf.c — growable NUL-terminated string buffer (see buf.h for the invariants). */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char mg_buf_empty[1];

void mg_buf_init(struct mg_buf *b)
{
    b->ptr = mg_buf_empty;
    b->len = 0;
    b->cap = 0;
}

void mg_buf_free(struct mg_buf *b)
{
    if (b->cap)
        free(b->ptr);
    mg_buf_init(b);
}

void mg_buf_grow(struct mg_buf *b, size_t extra)
{
    size_t need;

    if (extra >= MG_BUF_MAX || b->len >= MG_BUF_MAX - extra)
        mg_die_oom("string buffer over its size cap");
    need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap < MG_BUF_MAX / 2 ? cap * 2 : need;
    if (b->cap) {
        b->ptr = mg_realloc(b->ptr, cap);
    } else {
        b->ptr = mg_malloc(cap);
        b->ptr[0] = '\0';
    }
    b->cap = cap;
}

void mg_buf_reset(struct mg_buf *b)
{
    mg_buf_setlen(b, 0);
}

void mg_buf_setlen(struct mg_buf *b, size_t len)
{
    if (!b->cap) {
        /* only 0 is a valid length for an unallocated buffer */
        if (len)
            abort();
        return;
    }
    if (len >= b->cap)
        abort();
    b->len = len;
    b->ptr[len] = '\0';
}

void mg_buf_add(struct mg_buf *b, const void *data, size_t len)
{
    if (!len)
        return;
    mg_buf_grow(b, len);
    memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
}

void mg_buf_adds(struct mg_buf *b, const char *s)
{
    mg_buf_add(b, s, strlen(s));
}

void mg_buf_addch(struct mg_buf *b, char c)
{
    mg_buf_grow(b, 1);
    b->ptr[b->len++] = c;
    b->ptr[b->len] = '\0';
}

void mg_buf_vaddf(struct mg_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0)
        return;
    mg_buf_grow(b, (size_t)n);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void mg_buf_addf(struct mg_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mg_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

char *mg_buf_detach(struct mg_buf *b)
{
    char *s = b->cap ? b->ptr : mg_strdup("");

    mg_buf_init(b);
    return s;
}

void mg_buf_rtrim(struct mg_buf *b)
{
    while (b->len && (b->ptr[b->len - 1] == ' ' || b->ptr[b->len - 1] == '\n' ||
                      b->ptr[b->len - 1] == '\t' || b->ptr[b->len - 1] == '\r'))
        b->len--;
    if (b->cap)
        b->ptr[b->len] = '\0';
}

void mg_buf_add_xml(struct mg_buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            mg_buf_adds(out, "&amp;");
            break;
        case '<':
            mg_buf_adds(out, "&lt;");
            break;
        case '>':
            mg_buf_adds(out, "&gt;");
            break;
        case '"':
            mg_buf_adds(out, "&quot;");
            break;
        case '\'':
            mg_buf_adds(out, "&apos;");
            break;
        default:
            /* control characters other than tab and newline are not allowed in XML 1.0 */
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                mg_buf_addch(out, '?');
            else
                mg_buf_addch(out, (char)c);
        }
    }
}
