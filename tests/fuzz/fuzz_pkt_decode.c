/*
 * pkt_decode on arbitrary bytes.  The first byte picks the link type (and
 * whether the wire length claims more than was captured); the rest is the
 * packet.  Aborts when a result disagrees with itself or points outside
 * the packet.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "model/pkt_decode.h"

static const int linktypes[] = {
	PKT_DLT_NULL, PKT_DLT_EN10MB, PKT_DLT_RAW, 14, PKT_DLT_LOOP,
	PKT_DLT_LINUX_SLL, PKT_DLT_LINUX_SLL2, PKT_LINKTYPE_RAW,
	PKT_LINKTYPE_IPV4, PKT_LINKTYPE_IPV6, 999,
};
#define NLINKTYPES	(sizeof(linktypes) / sizeof(linktypes[0]))

static volatile unsigned	sink;

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
check_pkt(const struct pkt *k, int r, const uint8_t *p, size_t len)
{
	size_t	 i;

	if (r > 0 || r < PKT_EBAD)
		abort();
	check_str(pkt_strerror(r));
	if (k->nvlans > PKT_MAX_VLANS)
		abort();
	for (i = 0; i < k->nvlans; i++)
		if (k->vlan[i] > 0x0fff)
			abort();
	if (r != PKT_OK)
		return;
	if (k->family != AF_INET && k->family != AF_INET6)
		abort();
	if (k->payload_len > k->payload_wire_len)
		abort();
	if (k->payload_len == 0 && k->payload != NULL)
		abort();
	if (k->payload_len > 0 && (k->payload == NULL || k->payload < p ||
	    k->payload + k->payload_len > p + len))
		abort();
	if (k->is_fragment && (k->payload_len != 0 || k->sport != 0 ||
	    k->dport != 0))
		abort();
	if (k->proto != IPPROTO_TCP && (k->seq != 0 || k->tcp_flags != 0))
		abort();
	/* Touch every payload byte so ASan sees a bad pointer. */
	for (i = 0; i < k->payload_len; i++)
		sink += k->payload[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt	 k;
	uint8_t		*copy;
	size_t		 n, wirelen;
	int		 linktype, r;

	if (size == 0)
		return 0;
	linktype = linktypes[(data[0] & 0x7f) % NLINKTYPES];
	n = size - 1;
	wirelen = data[0] & 0x80 ? n + 1000 : n;
	/* An exact-size heap copy, so ASan sees any read past the end. */
	if ((copy = malloc(n > 0 ? n : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, n);
	r = pkt_decode(linktype, copy, n, wirelen, &k);
	check_pkt(&k, r, copy, n);
	free(copy);
	return 0;
}
