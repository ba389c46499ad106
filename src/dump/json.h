/*
 * The one JSON writer.  It does all escaping: strings are written as valid
 * UTF-8 (invalid bytes become U+FFFD-free "\\xHH" text via the sanitizer),
 * control bytes escaped, so no caller ever prints a quote itself.
 * Commas and nesting are tracked; keys are added with json_key().
 */
#ifndef TUBES_DUMP_JSON_H
#define TUBES_DUMP_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	32

struct json;

struct json	*json_new(FILE *, int is_pretty);
/* Flushes; returns 0, or -1 if the output had an error or nesting is open. */
int		 json_free(struct json *);

void	json_obj_open(struct json *);
void	json_obj_close(struct json *);
void	json_arr_open(struct json *);
void	json_arr_close(struct json *);
void	json_key(struct json *, const char *key);	/* key: trusted ASCII */
/* Untrusted bytes, any content: sanitized (TB_SAN_UTF8) then escaped. */
void	json_str(struct json *, const char *);
void	json_strn(struct json *, const void *, size_t);
/*
 * A string already escaped to printable ASCII by its parser (dns_wire's
 * presentation form: "\\027" for ESC): written as is, JSON-quoted, so it
 * is not escaped twice.  Anything outside 0x20-0x7e in it falls back to
 * json_str.
 */
void	json_str_escaped(struct json *, const char *);
void	json_int(struct json *, int64_t);
void	json_uint(struct json *, uint64_t);
/* Finite numbers with up to `decimals` fraction digits; NaN/inf -> null. */
void	json_num(struct json *, double, int decimals);
void	json_bool(struct json *, int);
void	json_null(struct json *);

/* Shorthands: key + value. */
void	json_kstr(struct json *, const char *, const char *);
void	json_kint(struct json *, const char *, int64_t);
void	json_knum(struct json *, const char *, double, int decimals);

#endif
