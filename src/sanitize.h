/*
 * The display sanitizer.  Every byte that came from the network, a file or
 * the kernel passes through here before it reaches the terminal or a dump.
 *
 * Output is always NUL-terminated printable text:
 *   printable ASCII 0x20-0x7e as is, except '\' which is doubled;
 *   every other byte as \xHH (control bytes, DEL, ESC, 0x9b CSI, C1, NUL);
 *   with TB_SAN_UTF8, well-formed UTF-8 sequences of printable characters
 *   pass through, while C1 controls (U+0080-U+009F), bidi controls
 *   (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), line/paragraph
 *   separators (U+2028-U+2029) and invalid, overlong or surrogate sequences
 *   are escaped byte by byte as \xHH;
 *   with TB_SAN_DNS, escapes are dig's \DDD (three decimal digits) instead
 *   of \xHH, and '\' is "\\"; '.' is always copied, as the label
 *   separator of a dotted name.  A caller with a wire-format name whose
 *   label holds a '.' sanitizes label by label and writes that dot as "\."
 *   itself.
 * Input longer than maxlen source bytes is cut at maxlen and ends with a
 * visible "…[+N bytes]" ("...[+N bytes]" without TB_SAN_UTF8).
 */
#ifndef TUBES_SANITIZE_H
#define TUBES_SANITIZE_H

#include <stddef.h>

#define TB_SAN_UTF8	0x1	/* let printable UTF-8 through */
#define TB_SAN_DNS	0x2	/* dig-style \DDD escapes for DNS labels */

/*
 * Sanitize src[0..srclen) into dst (dstlen bytes including NUL).  maxlen
 * caps the source bytes shown (0 = no cap).  Never writes past dst; if dst
 * is too small the output is cut at a character boundary and still ends
 * with the "[+N bytes]" mark when room allows.  Returns strlen(dst).
 */
size_t	tb_sanitize(char *dst, size_t dstlen, const void *src, size_t srclen,
	    size_t maxlen, int flags);

/* Whether s is all printable ASCII (0x20-0x7e); NULL is not. */
int	tb_is_printable(const char *s);

/*
 * For text that is already escaped (dns_wire's dig-style presentation
 * form, "\027" for ESC): printable ASCII is copied as is, so its escapes
 * are not escaped twice; anything else, or text over maxlen bytes (0 = no
 * cap) or over dst, did not come from there and gets tb_sanitize().  NULL
 * is "".  Returns strlen(dst).
 */
size_t	tb_sanitize_escaped(char *dst, size_t dstlen, const char *src,
	    size_t maxlen);

/* Convenience for NUL-terminated strings, no cap, TB_SAN_UTF8 off. */
size_t	tb_sanitize_str(char *dst, size_t dstlen, const char *src);

/* Worst-case output size for srclen input bytes (4 per byte + mark + NUL). */
#define TB_SAN_BOUND(srclen)	((srclen) * 4 + 32)

#endif
