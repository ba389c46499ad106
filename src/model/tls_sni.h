/*
 * The first record of a TLS connection: a ClientHello's server name
 * (SNI), ALPN protocols and versions.  Pure and bounds-checked; the bytes
 * are hostile.  The caller hands the client's first bytes as they
 * accumulate (a ClientHello may span several segments and records).
 */
#ifndef TUBES_MODEL_TLS_SNI_H
#define TUBES_MODEL_TLS_SNI_H

#include <stddef.h>
#include <stdint.h>

#define TLS_HELLO_MAX		16384	/* bytes a caller need keep */
#define TLS_SNI_MAX		255
#define TLS_ALPN_MAX		128	/* "h2,http/1.1", cut with "..." */

struct tls_hello {
	uint16_t	 record_version;	/* 0x0301 ... */
	uint16_t	 hello_version;		/* legacy_version */
	uint16_t	 max_version;		/* from supported_versions,
						   else hello_version */
	int		 has_sni;
	char		 sni[TLS_SNI_MAX + 1];	/* raw bytes, NUL-terminated,
						   sanitized by views */
	size_t		 sni_len;
	char		 alpn[TLS_ALPN_MAX + 1];	/* comma-separated */
};

/* Does p look like the start of a TLS handshake record? (1, 0: no,
 * -1: too few bytes to tell) */
int	tls_is_handshake(const uint8_t *p, size_t n);
/*
 * Parse a ClientHello from the client's first n bytes: 1 with *out
 * filled, 0 when more bytes are needed, -1 when this is not a
 * ClientHello (or it is malformed).  The handshake message may span any
 * number of records; one over TLS_HELLO_MAX bytes is -1.  A caller whose
 * buffer is full and still gets 0 should give up.  *out is zeroed unless
 * 1.  sni_len counts the bytes kept in sni (at most TLS_SNI_MAX; a NUL
 * among them is data); alpn is cut to TLS_ALPN_MAX ending in "...".
 */
int	tls_client_hello(const uint8_t *p, size_t n, struct tls_hello *out);
/* "TLS 1.3", "TLS 1.2", ... or "0x0305". */
const char *tls_version_str(uint16_t v, char *buf, size_t len);

#endif
