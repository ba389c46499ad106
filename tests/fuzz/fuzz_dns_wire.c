/*
 * dns_parse and every helper on arbitrary bytes.  Aborts when a string the
 * parser wrote holds anything but printable ASCII, when the bookkeeping
 * disagrees with itself, or when a parsed name does not survive the trip
 * through dns_build_query and back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model/dns_wire.h"

static struct dns_msg	msg, again;

static void
check_str(const char *s, int is_name)
{
	if (s == NULL)
		abort();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < (is_name ? 0x21 : 0x20) ||
		    (unsigned char)*s >= 0x7f)
			abort();
}

/* A parsed name is valid user input and encodes back to itself. */
static void
check_name(const char *name)
{
	uint8_t	q[512];
	int	n;

	check_str(name, 1);
	if (dns_name_check(name, NULL, 0) != 0)
		abort();
	if ((n = dns_build_query(q, sizeof(q), 1, name, DNS_T_A, 1, 1232)) < 0)
		abort();
	if (dns_parse(q, (size_t)n, &again) != DNS_OK || again.nq != 1 ||
	    strcmp(again.q[0].name, name) != 0 || again.nrr != 1 ||
	    !again.edns.has_opt || again.edns.udp_size != 1232)
		abort();
}

static void
check_typed(const struct dns_rr *rr)
{
	const uint8_t	*p;
	size_t		 len;
	unsigned	 i;

	if (rr->err != 0)
		return;
	switch (rr->type) {
	case DNS_T_CNAME:
	case DNS_T_NS:
	case DNS_T_PTR:
		check_name(rr->rd.target);
		break;
	case DNS_T_MX:
		check_name(rr->rd.mx.exchange);
		break;
	case DNS_T_SOA:
		check_name(rr->rd.soa.mname);
		check_name(rr->rd.soa.rname);
		break;
	case DNS_T_SRV:
		check_name(rr->rd.srv.target);
		break;
	case DNS_T_CAA:
		check_str(rr->rd.caa.tag, 1);
		break;
	case DNS_T_TXT:
		for (i = 0; dns_txt_string(rr, i, &p, &len) == 0; i++)
			;
		if (i != rr->rd.txt.nstr || i == 0)
			abort();
		break;
	}
}

static void
check_msg(const struct dns_msg *m)
{
	const struct dns_rr	*rr;
	const char		*chain[DNS_MAX_CHAIN];
	char			 buf[DNS_TYPE_NAMELEN], flags[64];
	unsigned		 i, n, total = 0;
	size_t			 nchain;
	uint32_t		 ttl;
	int			 sec;

	if (m->nq > DNS_MAX_QD || m->nrr > DNS_MAX_RRS ||
	    m->arena_used > DNS_ARENA_SIZE || m->nbad > m->nrr)
		abort();
	for (i = 0; i < m->nq; i++) {
		check_name(m->q[i].name);
		check_str(dns_type_name(m->q[i].type, buf, sizeof(buf)), 1);
		check_str(dns_class_name(m->q[i].class, buf, sizeof(buf)), 1);
	}
	for (sec = DNS_SEC_ANSWER; sec <= DNS_SEC_ADDITIONAL; sec++) {
		rr = dns_section(m, sec, &n);
		total += n;
		for (i = 0; i < n; i++) {
			if (rr[i].section != sec)
				abort();
			check_name(rr[i].name);
			check_str(rr[i].data, 0);
			check_typed(&rr[i]);
			check_str(dns_type_name(rr[i].type, buf, sizeof(buf)),
			    1);
		}
	}
	if (total != m->nrr)
		abort();
	if (dns_cname_chain(m, chain, DNS_MAX_CHAIN, &nchain) > 0 ||
	    nchain > DNS_MAX_CHAIN)
		abort();
	for (i = 0; i < nchain; i++)
		check_str(chain[i], 1);
	(void)dns_negative_ttl(m, &ttl);
	if (dns_flags_str(m->hdr.flags, flags, sizeof(flags)) != strlen(flags))
		abort();
	check_str(flags, 0);
	check_str(dns_rcode_name(m->hdr.rcode, buf, sizeof(buf)), 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	char	 err[128];
	int	 r;

	r = dns_parse(data, size, &msg);
	if (r > 0 || (r == DNS_OK && msg.is_partial))
		abort();
	check_str(dns_strerror(r), 0);
	check_msg(&msg);
	/* The same bytes as a typed name and a type mnemonic. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	if (dns_name_check(s, err, sizeof(err)) == -1 && err[0] == '\0')
		abort();
	check_str(err, 0);
	r = dns_type_from_name(s);
	if (r < -1 || r > 65535)
		abort();
	free(s);
	return 0;
}
