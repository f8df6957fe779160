/*
 * buf.h — the one growable string buffer of the project.
 *
 * Invariants: `ptr` is never NULL and always NUL-terminated (an empty buffer
 * points at a shared static ""), `len` excludes the NUL, `cap` is 0 while the
 * buffer owns no memory.  A buffer never grows beyond MG_BUF_MAX; trying to is
 * a programming error (abort) since every input is size-checked before it
 * reaches a buffer.
 */
#ifndef MG_BUF_H
#define MG_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define MG_BUF_MAX ((size_t)1 << 31)

struct mg_buf {
    char *ptr;
    size_t len;
    size_t cap;
};

extern char mg_buf_empty[1];
#define MG_BUF_INIT                                                                                \
    {                                                                                              \
        mg_buf_empty, 0, 0                                                                         \
    }

void mg_buf_init(struct mg_buf *b);
/* Releases the memory; the buffer is empty and reusable afterwards. */
void mg_buf_free(struct mg_buf *b);
/* Makes room for `extra` more bytes plus the NUL. */
void mg_buf_grow(struct mg_buf *b, size_t extra);
void mg_buf_reset(struct mg_buf *b);
void mg_buf_setlen(struct mg_buf *b, size_t len);
void mg_buf_add(struct mg_buf *b, const void *data, size_t len);
void mg_buf_adds(struct mg_buf *b, const char *s);
void mg_buf_addch(struct mg_buf *b, char c);
void mg_buf_addf(struct mg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_buf_vaddf(struct mg_buf *b, const char *fmt, va_list ap);
/* Returns the string, which the caller now owns and frees with free(); the buffer is empty. */
char *mg_buf_detach(struct mg_buf *b);
/* Appends `s` escaped for XML text and attribute values (control characters become '?'). */
void mg_buf_add_xml(struct mg_buf *out, const char *s);
/* Strips trailing whitespace. */
void mg_buf_rtrim(struct mg_buf *b);

#endif
