/*
 * tls_client_hello and tls_is_handshake on arbitrary bytes, whole and at
 * every prefix a caller could hand over while segments arrive.  Aborts
 * when a result disagrees with itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model/tls_sni.h"

static volatile unsigned	sink;

static void
check_hello(const struct tls_hello *h, int r)
{
	char	 buf[16];
	size_t	 i;

	if (r < -1 || r > 1)
		abort();
	if (r != 1)
		return;
	if (h->sni_len > TLS_SNI_MAX || h->sni[h->sni_len] != '\0')
		abort();
	if (!h->has_sni && h->sni_len != 0)
		abort();
	if (strlen(h->alpn) > TLS_ALPN_MAX)
		abort();
	if (h->max_version == 0 || h->hello_version == 0 ||
	    h->record_version == 0)
		abort();
	if (tls_version_str(h->max_version, buf, sizeof(buf)) == NULL)
		abort();
	for (i = 0; i < h->sni_len; i++)
		sink += (unsigned char)h->sni[i];
}

/*
 * A prefix of a good hello may ask for more or, once the hello is whole
 * (bytes may follow it), parse: never fail, never go back to asking.
 */
static void
check_prefixes(const uint8_t *p, size_t n)
{
	struct tls_hello	 h;
	size_t			 i, step;
	int			 r, last = 0;

	step = n / 64 + 1;
	for (i = 0; i < n; i += step) {
		r = tls_client_hello(p, i, &h);
		if (r == -1 || r < last)
			abort();
		last = r;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_hello	 h;
	uint8_t			*copy;
	int			 r, hs;

	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	hs = tls_is_handshake(copy, size);
	if (hs < -1 || hs > 1)
		abort();
	r = tls_client_hello(copy, size, &h);
	check_hello(&h, r);
	if (r == 1 && hs != 1)
		abort();
	if (r == 1)
		check_prefixes(copy, size);
	free(copy);
	return 0;
}
