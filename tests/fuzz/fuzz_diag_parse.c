/*
 * Fuzz target: diag_parse over arbitrary bytes, once with the sequence
 * number of the corpus files (1) and once with the first message's own, so
 * both the skipped and the parsed paths are reached.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "model/diag_parse.h"

static void
fuzz_on_sock(const struct diag_sock *ds, void *arg)
{
	unsigned	*sum = arg;

	*sum += ds->state + ds->sport + ds->dport + ds->src[15] + ds->dst[0] +
	    ds->expires_ms + ds->inode;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned	sum = 0, nbad;
	uint32_t	seq = 1;
	int		is_done, kerr;

	(void)diag_parse(data, size, 1, fuzz_on_sock, &sum, &is_done, &kerr,
	    &nbad);
	if (size >= 12)
		memcpy(&seq, data + 8, sizeof(seq));
	(void)diag_parse(data, size, seq, fuzz_on_sock, &sum, NULL, NULL,
	    NULL);
	return 0;
}
