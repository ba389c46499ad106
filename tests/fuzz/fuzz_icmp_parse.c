/*
 * icmp_parse on arbitrary bytes.  The first byte picks the family and
 * whether an outer IP header is present; the rest is the message.  Aborts
 * when a count leaves its bounds or the result disagrees with itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "model/icmp_parse.h"

static void
check_str(const char *s)
{
	if (s == NULL || *s == '\0')
		abort();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

static void
check_inner(const struct icmp_info *ii, size_t len)
{
	const struct icmp_inner	*in = &ii->inner;

	if (in->quoted > len || in->quoted > ii->payload_len)
		abort();
	if (!ii->has_inner) {
		if (in->has_l4 || in->family != 0)
			abort();
		return;
	}
	if (in->family != ii->family || in->nexthdrs > ICMP_MAX_V6_EXTHDRS ||
	    in->flow > 0xfffff)
		abort();
	if (in->family == AF_INET && in->nexthdrs != 0)
		abort();
	if (in->has_l4 && in->is_fragment)
		abort();
}

static void
check_ext(const struct icmp_info *ii)
{
	const struct icmp_ext	*e = &ii->ext;
	unsigned		 i;

	if (!ii->has_ext) {
		if (e->nmpls != 0 || e->nobjects != 0 || e->err != 0)
			abort();
		return;
	}
	if (e->nmpls > ICMP_MAX_MPLS || (e->err != 0 && e->err != ICMP_EEXT))
		abort();
	if (e->nmpls_dropped != 0 && e->nmpls != ICMP_MAX_MPLS)
		abort();
	if (e->nmpls > 0 && e->nobjects == 0)
		abort();
	for (i = 0; i < e->nmpls; i++)
		if (e->mpls[i].label > 0xfffff || e->mpls[i].tc > 7 ||
		    e->mpls[i].is_bos > 1)
			abort();
}

static void
check_info(const struct icmp_info *ii, int r, size_t len)
{
	if (r > 0 || r < ICMP_EINNER)
		abort();
	check_str(icmp_strerror(r));
	check_str(icmp_reason_name(ii->reason));
	check_str(icmp_kind_name(ii->kind));
	if (r == ICMP_ETRUNC || r == ICMP_EHDR) {
		if (ii->has_inner || ii->has_ext || ii->kind != ICMP_K_OTHER)
			abort();
		return;
	}
	if (ii->payload_len + 8 > len)
		abort();
	if (ii->kind < ICMP_K_OTHER || ii->kind > ICMP_K_PKT_TOO_BIG)
		abort();
	if ((ii->reason != ICMP_R_NONE) != (ii->kind == ICMP_K_UNREACH))
		abort();
	if (ii->reason < ICMP_R_NONE || ii->reason > ICMP_R_OTHER)
		abort();
	if (ii->mtu != 0 && ii->kind != ICMP_K_PKT_TOO_BIG &&
	    ii->reason != ICMP_R_FRAG_NEEDED)
		abort();
	if (r == ICMP_EINNER && ii->inner.has_l4)
		abort();
	check_inner(ii, len);
	check_ext(ii);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct icmp_info	 ii;
	uint8_t			*copy;
	int			 family, has_outer, r;

	if (size == 0)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	has_outer = (data[0] & 2) != 0;
	/* An exact-size heap copy, so ASan sees any read past the end. */
	if ((copy = malloc(size - 1 > 0 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	r = icmp_parse(copy, size - 1, family, has_outer, &ii);
	if (ii.family != family)
		abort();
	check_info(&ii, r, size - 1);
	free(copy);
	return 0;
}
