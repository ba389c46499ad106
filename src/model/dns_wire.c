#include "config.h"

#include "model/dns_wire.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "buf.h"

/*
 * A compression pointer must point before the start of the run of labels
 * being read (the name itself, then the previous pointer's target).  The
 * targets strictly decrease, so no pointer can loop; DNS_MAX_JUMPS bounds
 * the work on top of that.
 */

struct dns_ctx {
	const uint8_t	*msg;
	size_t		 len;
	struct dns_msg	*m;
	struct tb_buf	 b;		/* the whole message, at the next */
	int		 first_err;
};

/* Appends one NUL-terminated string at the arena tail. */
struct dns_w {
	struct dns_msg	*m;
	size_t		 start, n;
	int		 is_full;
};

struct dns_mnemonic {
	uint16_t	 value;
	const char	*name;
};

static const struct dns_mnemonic dns_types[] = {
	{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
	{ 13, "HINFO" }, { 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" },
	{ 33, "SRV" }, { 35, "NAPTR" }, { 39, "DNAME" }, { 41, "OPT" },
	{ 43, "DS" }, { 44, "SSHFP" }, { 46, "RRSIG" }, { 47, "NSEC" },
	{ 48, "DNSKEY" }, { 50, "NSEC3" }, { 51, "NSEC3PARAM" },
	{ 52, "TLSA" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" },
	{ 252, "AXFR" }, { 255, "ANY" }, { 257, "CAA" },
};

static const struct dns_mnemonic dns_rcodes[] = {
	{ 0, "NOERROR" }, { 1, "FORMERR" }, { 2, "SERVFAIL" },
	{ 3, "NXDOMAIN" }, { 4, "NOTIMP" }, { 5, "REFUSED" },
	{ 6, "YXDOMAIN" }, { 7, "YXRRSET" }, { 8, "NXRRSET" },
	{ 9, "NOTAUTH" }, { 10, "NOTZONE" }, { 16, "BADVERS" },
	{ 23, "BADCOOKIE" },
};

static const struct dns_mnemonic dns_classes[] = {
	{ 1, "IN" }, { 3, "CH" }, { 4, "HS" }, { 254, "NONE" }, { 255, "ANY" },
};

/* dig's order. */
static const struct dns_mnemonic dns_flags[] = {
	{ DNS_F_QR, "qr" }, { DNS_F_AA, "aa" }, { DNS_F_TC, "tc" },
	{ DNS_F_RD, "rd" }, { DNS_F_RA, "ra" }, { DNS_F_Z, "z" },
	{ DNS_F_AD, "ad" }, { DNS_F_CD, "cd" },
};

static const char *const dns_errors[] = {
	[0] = "ok",
	[-DNS_ETRUNC] = "message truncated",
	[-DNS_EPTR] = "bad compression pointer",
	[-DNS_ELABEL] = "reserved label type",
	[-DNS_ENAME] = "name too long or malformed",
	[-DNS_ECOUNT] = "section counts exceed the message",
	[-DNS_ERDLEN] = "rdlength runs past the message",
	[-DNS_ERDATA] = "malformed rdata",
	[-DNS_ESPACE] = "out of space",
	[-DNS_ELOOP] = "cname loop",
	[-DNS_ECHAIN] = "cname chain too long",
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* --- the arena ---------------------------------------------------------- */

static void
w_begin(struct dns_w *w, struct dns_msg *m)
{
	w->m = m;
	w->start = m->arena_used;
	w->n = 0;
	w->is_full = 0;
}

static void
w_putc(struct dns_w *w, char ch)
{
	/* One byte stays free for the NUL. */
	if (w->is_full || w->start + w->n + 1 >= DNS_ARENA_SIZE) {
		w->is_full = 1;
		return;
	}
	w->m->arena[w->start + w->n++] = ch;
}

static void
w_puts(struct dns_w *w, const char *s)
{
	while (*s != '\0')
		w_putc(w, *s++);
}

static void __attribute__((format(printf, 2, 3)))
w_printf(struct dns_w *w, const char *fmt, ...)
{
	char	buf[128];
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(buf)) {
		w->is_full = 1;
		return;
	}
	w_puts(w, buf);
}

static void
w_ddd(struct dns_w *w, uint8_t c)
{
	w_putc(w, '\\');
	w_putc(w, (char)('0' + c / 100));
	w_putc(w, (char)('0' + c / 10 % 10));
	w_putc(w, (char)('0' + c % 10));
}

/* A label byte: dig escapes the separator and the escape character. */
static void
w_name_byte(struct dns_w *w, uint8_t c)
{
	if (c == '.' || c == '\\') {
		w_putc(w, '\\');
		w_putc(w, (char)c);
	} else if (c > 0x20 && c < 0x7f)
		w_putc(w, (char)c);
	else
		w_ddd(w, c);
}

/* A byte inside a quoted character-string. */
static void
w_text_byte(struct dns_w *w, uint8_t c)
{
	if (c == '"' || c == '\\') {
		w_putc(w, '\\');
		w_putc(w, (char)c);
	} else if (c >= 0x20 && c < 0x7f)
		w_putc(w, (char)c);
	else
		w_ddd(w, c);
}

static void
w_quoted(struct dns_w *w, const uint8_t *p, size_t n)
{
	size_t	i;

	w_putc(w, '"');
	for (i = 0; i < n; i++)
		w_text_byte(w, p[i]);
	w_putc(w, '"');
}

static const char *
w_end(struct dns_w *w)
{
	if (w->is_full)
		return NULL;
	w->m->arena[w->start + w->n] = '\0';
	w->m->arena_used = w->start + w->n + 1;
	return &w->m->arena[w->start];
}

/* Copy the next n bytes of b into the arena. */
static const uint8_t *
arena_copy(struct dns_msg *m, struct tb_buf *b, size_t n)
{
	uint8_t	*p;

	if (n > DNS_ARENA_SIZE - m->arena_used)
		return NULL;
	p = (uint8_t *)&m->arena[m->arena_used];
	if (tb_buf_get_bytes(b, p, n) == -1)
		return NULL;
	m->arena_used += n;
	return p;
}

/* --- names -------------------------------------------------------------- */

/* Follow the pointer whose first byte was hi; *seg is the run's start. */
static int
name_jump(struct tb_buf *b, const uint8_t *msg, size_t msglen, uint8_t hi,
    size_t *seg)
{
	uint8_t	lo;
	size_t	target;

	if (tb_buf_get_u8(b, &lo) == -1)
		return DNS_ETRUNC;
	target = (size_t)(hi & 0x3f) << 8 | lo;
	if (target >= *seg)
		return DNS_EPTR;
	*seg = target;
	tb_buf_init(b, msg, msglen);
	return tb_buf_skip(b, target) == -1 ? DNS_EPTR : 0;
}

/*
 * Read the name at off into wire form.  The bytes in place must end by lim;
 * pointers may reach anywhere before.  Returns the bytes the name occupies
 * in place, or DNS_E*.
 */
static int
name_read(const uint8_t *msg, size_t msglen, size_t off, size_t lim,
    uint8_t *wire, size_t *wlen)
{
	struct tb_buf	b;
	size_t		seg = off, n = 0, used = 0;
	unsigned	jumps = 0;
	uint8_t		c;
	int		r;

	tb_buf_init(&b, msg, lim);
	if (tb_buf_skip(&b, off) == -1)
		return DNS_ETRUNC;
	for (;;) {
		if (tb_buf_get_u8(&b, &c) == -1)
			return DNS_ETRUNC;
		if ((c & 0xc0) == 0xc0) {
			if (jumps == 0)
				used = b.off + 1 - off;
			if (++jumps > DNS_MAX_JUMPS)
				return DNS_EPTR;
			if ((r = name_jump(&b, msg, msglen, c, &seg)) != 0)
				return r;
			continue;
		}
		if (c & 0xc0)
			return DNS_ELABEL;
		if (n + 1 + c > DNS_NAME_WIRE_MAX)
			return DNS_ENAME;
		wire[n++] = c;
		if (c == 0)
			break;
		if (tb_buf_get_bytes(&b, &wire[n], c) == -1)
			return DNS_ETRUNC;
		n += c;
	}
	*wlen = n;
	return (int)(jumps == 0 ? b.off - off : used);
}

static void
w_name(struct dns_w *w, const uint8_t *wire, size_t wlen)
{
	size_t	i = 0, k;

	if (wlen == 0 || wire[0] == 0) {
		w_putc(w, '.');
		return;
	}
	while (i < wlen && wire[i] != 0 && i + wire[i] < wlen) {
		if (i > 0)
			w_putc(w, '.');
		for (k = 1; k <= wire[i]; k++)
			w_name_byte(w, wire[i + k]);
		i += (size_t)wire[i] + 1;
	}
}

/*
 * Read the name at b's position (b starts at message offset base) and put
 * its presentation form in the arena.  b moves past the name even when the
 * arena is full (DNS_ESPACE), so the caller can keep walking.
 */
static int
ctx_name(struct dns_ctx *c, struct tb_buf *b, size_t base, const char **out)
{
	uint8_t		wire[DNS_NAME_WIRE_MAX];
	size_t		wlen;
	struct dns_w	w;
	int		r;

	r = name_read(c->msg, c->len, base + b->off, base + b->len, wire,
	    &wlen);
	if (r < 0)
		return r;
	(void)tb_buf_skip(b, (size_t)r);
	w_begin(&w, c->m);
	w_name(&w, wire, wlen);
	return (*out = w_end(&w)) == NULL ? DNS_ESPACE : 0;
}

/* A name inside RDATA: running past RDLENGTH is bad RDATA. */
static int
rd_name_get(struct dns_ctx *c, struct tb_buf *rd, size_t base,
    const char **out)
{
	int	r;

	r = ctx_name(c, rd, base, out);
	return r == DNS_ETRUNC ? DNS_ERDATA : r;
}

/* --- RDATA -------------------------------------------------------------- */

static int
rd_data_str(struct dns_ctx *c, struct dns_rr *rr, const char *s)
{
	struct dns_w	w;

	w_begin(&w, c->m);
	w_puts(&w, s);
	return (rr->data = w_end(&w)) == NULL ? DNS_ESPACE : 0;
}

static int
rd_a(struct dns_ctx *c, struct tb_buf *rd, size_t base, struct dns_rr *rr)
{
	char	s[INET_ADDRSTRLEN];

	(void)base;
	if (tb_buf_get_bytes(rd, rr->rd.a, sizeof(rr->rd.a)) == -1 ||
	    inet_ntop(AF_INET, rr->rd.a, s, sizeof(s)) == NULL)
		return DNS_ERDATA;
	return rd_data_str(c, rr, s);
}

static int
rd_aaaa(struct dns_ctx *c, struct tb_buf *rd, size_t base, struct dns_rr *rr)
{
	char	s[INET6_ADDRSTRLEN];

	(void)base;
	if (tb_buf_get_bytes(rd, rr->rd.aaaa, sizeof(rr->rd.aaaa)) == -1 ||
	    inet_ntop(AF_INET6, rr->rd.aaaa, s, sizeof(s)) == NULL)
		return DNS_ERDATA;
	return rd_data_str(c, rr, s);
}

/* CNAME, NS, PTR. */
static int
rd_target(struct dns_ctx *c, struct tb_buf *rd, size_t base,
    struct dns_rr *rr)
{
	int	r;

	if ((r = rd_name_get(c, rd, base, &rr->rd.target)) != 0)
		return r;
	rr->data = rr->rd.target;
	return 0;
}

static int
rd_mx(struct dns_ctx *c, struct tb_buf *rd, size_t base, struct dns_rr *rr)
{
	struct dns_w	w;
	int		r;

	if (tb_buf_get_u16be(rd, &rr->rd.mx.pref) == -1)
		return DNS_ERDATA;
	if ((r = rd_name_get(c, rd, base, &rr->rd.mx.exchange)) != 0)
		return r;
	w_begin(&w, c->m);
	w_printf(&w, "%u ", rr->rd.mx.pref);
	w_puts(&w, rr->rd.mx.exchange);
	return (rr->data = w_end(&w)) == NULL ? DNS_ESPACE : 0;
}

static int
rd_txt(struct dns_ctx *c, struct tb_buf *rd, size_t base, struct dns_rr *rr)
{
	struct tb_buf	 t = *rd;
	struct dns_w	 w;
	const uint8_t	*p;
	size_t		 n;
	uint8_t		 slen;
	unsigned	 i;

	(void)base;
	while (tb_buf_left(&t) > 0) {
		if (tb_buf_get_u8(&t, &slen) == -1 ||
		    tb_buf_skip(&t, slen) == -1)
			return DNS_ERDATA;
		rr->rd.txt.nstr++;
	}
	if (rr->rd.txt.nstr == 0)
		return DNS_ERDATA;	/* RFC 1035: one or more strings */
	rr->rd.txt.rawlen = tb_buf_left(rd);
	if ((rr->rd.txt.raw = arena_copy(c->m, rd, rr->rd.txt.rawlen)) == NULL)
		return DNS_ESPACE;
	w_begin(&w, c->m);
	for (i = 0; dns_txt_string(rr, i, &p, &n) == 0; i++) {
		if (i > 0)
			w_putc(&w, ' ');
		w_quoted(&w, p, n);
	}
	return (rr->data = w_end(&w)) == NULL ? DNS_ESPACE : 0;
}

static int
rd_soa(struct dns_ctx *c, struct tb_buf *rd, size_t base, struct dns_rr *rr)
{
	struct dns_w	w;
	int		r;

	if ((r = rd_name_get(c, rd, base, &rr->rd.soa.mname)) != 0 ||
	    (r = rd_name_get(c, rd, base, &rr->rd.soa.rname)) != 0)
		return r;
	if (tb_buf_get_u32be(rd, &rr->rd.soa.serial) == -1 ||
	    tb_buf_get_u32be(rd, &rr->rd.soa.refresh) == -1 ||
	    tb_buf_get_u32be(rd, &rr->rd.soa.retry) == -1 ||
	    tb_buf_get_u32be(rd, &rr->rd.soa.expire) == -1 ||
	    tb_buf_get_u32be(rd, &rr->rd.soa.minimum) == -1)
		return DNS_ERDATA;
	w_begin(&w, c->m);
	w_puts(&w, rr->rd.soa.mname);
	w_putc(&w, ' ');
	w_puts(&w, rr->rd.soa.rname);
	w_printf(&w, " %u %u %u %u %u", rr->rd.soa.serial,
	    rr->rd.soa.refresh, rr->rd.soa.retry, rr->rd.soa.expire,
	    rr->rd.soa.minimum);
	return (rr->data = w_end(&w)) == NULL ? DNS_ESPACE : 0;
}

static int
rd_srv(struct dns_ctx *c, struct tb_buf *rd, size_t base, struct dns_rr *rr)
{
	struct dns_w	w;
	int		r;

	if (tb_buf_get_u16be(rd, &rr->rd.srv.prio) == -1 ||
	    tb_buf_get_u16be(rd, &rr->rd.srv.weight) == -1 ||
	    tb_buf_get_u16be(rd, &rr->rd.srv.port) == -1)
		return DNS_ERDATA;
	if ((r = rd_name_get(c, rd, base, &rr->rd.srv.target)) != 0)
		return r;
	w_begin(&w, c->m);
	w_printf(&w, "%u %u %u ", rr->rd.srv.prio, rr->rd.srv.weight,
	    rr->rd.srv.port);
	w_puts(&w, rr->rd.srv.target);
	return (rr->data = w_end(&w)) == NULL ? DNS_ESPACE : 0;
}

static int
rd_caa(struct dns_ctx *c, struct tb_buf *rd, size_t base, struct dns_rr *rr)
{
	struct dns_w	 w;
	const uint8_t	*tag;
	uint8_t		 taglen, i;

	(void)base;
	if (tb_buf_get_u8(rd, &rr->rd.caa.flags) == -1 ||
	    tb_buf_get_u8(rd, &taglen) == -1 || taglen == 0 ||
	    taglen > tb_buf_left(rd))
		return DNS_ERDATA;	/* RFC 8659: the tag is never empty */
	if ((tag = arena_copy(c->m, rd, taglen)) == NULL)
		return DNS_ESPACE;
	w_begin(&w, c->m);
	for (i = 0; i < taglen; i++)
		w_name_byte(&w, tag[i]);
	if ((rr->rd.caa.tag = w_end(&w)) == NULL)
		return DNS_ESPACE;
	rr->rd.caa.valuelen = tb_buf_left(rd);
	rr->rd.caa.value = arena_copy(c->m, rd, rr->rd.caa.valuelen);
	if (rr->rd.caa.value == NULL)
		return DNS_ESPACE;
	w_begin(&w, c->m);
	w_printf(&w, "%u ", rr->rd.caa.flags);
	w_puts(&w, rr->rd.caa.tag);
	w_putc(&w, ' ');
	w_quoted(&w, rr->rd.caa.value, rr->rd.caa.valuelen);
	return (rr->data = w_end(&w)) == NULL ? DNS_ESPACE : 0;
}

/* RFC 6891: CLASS is the UDP size, TTL holds ext-rcode, version, DO. */
static int
rd_opt(struct dns_ctx *c, struct tb_buf *rd, size_t base, struct dns_rr *rr)
{
	struct dns_edns	*e = &rr->rd.opt;
	struct dns_w	 w;
	uint16_t	 code, olen;

	(void)base;
	e->udp_size = rr->class;
	e->ext_rcode = (uint8_t)(rr->ttl >> 24);
	e->version = (uint8_t)(rr->ttl >> 16);
	e->is_do = (rr->ttl & 0x8000) != 0;
	while (tb_buf_left(rd) > 0) {
		if (tb_buf_get_u16be(rd, &code) == -1 ||
		    tb_buf_get_u16be(rd, &olen) == -1 ||
		    tb_buf_skip(rd, olen) == -1)
			return DNS_ERDATA;
		e->noptions++;
	}
	w_begin(&w, c->m);
	w_printf(&w, "version: %u, flags:%s; udp: %u; options: %u",
	    e->version, e->is_do ? " do" : "", e->udp_size, e->noptions);
	return (rr->data = w_end(&w)) == NULL ? DNS_ESPACE : 0;
}

/* RFC 3597 generic form: \# LEN HEX. */
static int
rd_generic(struct dns_ctx *c, struct tb_buf *rd, struct dns_rr *rr)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct dns_w		 w;
	uint8_t			 x;

	w_begin(&w, c->m);
	w_printf(&w, "\\# %zu", tb_buf_left(rd));
	if (tb_buf_left(rd) > 0)
		w_putc(&w, ' ');
	while (tb_buf_get_u8(rd, &x) == 0) {
		w_putc(&w, hex[x >> 4]);
		w_putc(&w, hex[x & 0xf]);
	}
	return (rr->data = w_end(&w)) == NULL ? DNS_ESPACE : 0;
}

static const struct rd_ops {
	uint16_t	 type;
	int		 is_in_only;	/* the format is defined for IN */
	int		(*decode)(struct dns_ctx *, struct tb_buf *, size_t,
			    struct dns_rr *);
} rd_table[] = {
	{ DNS_T_A, 1, rd_a },
	{ DNS_T_AAAA, 1, rd_aaaa },
	{ DNS_T_CNAME, 0, rd_target },
	{ DNS_T_NS, 0, rd_target },
	{ DNS_T_PTR, 0, rd_target },
	{ DNS_T_MX, 0, rd_mx },
	{ DNS_T_TXT, 0, rd_txt },
	{ DNS_T_SOA, 0, rd_soa },
	{ DNS_T_SRV, 0, rd_srv },
	{ DNS_T_CAA, 0, rd_caa },
	{ DNS_T_OPT, 0, rd_opt },
};

static const struct rd_ops *
rd_find(const struct dns_rr *rr)
{
	size_t	i;

	for (i = 0; i < NITEMS(rd_table); i++)
		if (rd_table[i].type == rr->type)
			return rd_table[i].is_in_only &&
			    rr->class != DNS_C_IN ? NULL : &rd_table[i];
	return NULL;
}

/*
 * Decode rd (at message offset base) into rr.  Bad RDATA sets rr->err and
 * falls back to the generic form; only DNS_ESPACE is returned.
 */
static int
rd_decode(struct dns_ctx *c, struct tb_buf *rd, size_t base,
    struct dns_rr *rr)
{
	const struct rd_ops	*op = rd_find(rr);
	struct tb_buf		 save = *rd;
	size_t			 mark = c->m->arena_used;
	int			 r;

	if (op == NULL)
		return rd_generic(c, rd, rr);
	r = op->decode(c, rd, base, rr);
	if (r == 0 && tb_buf_left(rd) != 0)
		r = DNS_ERDATA;
	if (r == 0 || r == DNS_ESPACE)
		return r;
	/* Drop the typed fields: they may point at what is rolled back. */
	memset(&rr->rd, 0, sizeof(rr->rd));
	c->m->arena_used = mark;
	rr->err = r;
	*rd = save;
	return rd_generic(c, rd, rr);
}

/* --- sections ----------------------------------------------------------- */

static int
hdr_parse(struct dns_ctx *c)
{
	struct dns_hdr	*h = &c->m->hdr;

	if (tb_buf_get_u16be(&c->b, &h->id) == -1 ||
	    tb_buf_get_u16be(&c->b, &h->flags) == -1 ||
	    tb_buf_get_u16be(&c->b, &h->qdcount) == -1 ||
	    tb_buf_get_u16be(&c->b, &h->ancount) == -1 ||
	    tb_buf_get_u16be(&c->b, &h->nscount) == -1 ||
	    tb_buf_get_u16be(&c->b, &h->arcount) == -1)
		return DNS_ETRUNC;
	h->opcode = (h->flags >> 11) & 0xf;
	h->is_qr = (h->flags & DNS_F_QR) != 0;
	h->is_aa = (h->flags & DNS_F_AA) != 0;
	h->is_tc = (h->flags & DNS_F_TC) != 0;
	h->is_rd = (h->flags & DNS_F_RD) != 0;
	h->is_ra = (h->flags & DNS_F_RA) != 0;
	h->is_z = (h->flags & DNS_F_Z) != 0;
	h->is_ad = (h->flags & DNS_F_AD) != 0;
	h->is_cd = (h->flags & DNS_F_CD) != 0;
	h->rcode = h->flags & 0xf;
	return 0;
}

/* Smallest encodings: a question is 5 bytes, a record 11. */
static int
counts_fit(const struct dns_hdr *h, size_t left)
{
	uint64_t	need;

	need = (uint64_t)h->qdcount * 5 +
	    ((uint64_t)h->ancount + h->nscount + h->arcount) * 11;
	return need <= left;
}

static int
q_parse(struct dns_ctx *c)
{
	struct dns_msg		*m = c->m;
	struct dns_question	 q;
	size_t			 mark = m->arena_used;
	int			 r;

	memset(&q, 0, sizeof(q));
	if ((r = ctx_name(c, &c->b, 0, &q.name)) != 0 && r != DNS_ESPACE)
		return r;
	if (tb_buf_get_u16be(&c->b, &q.type) == -1 ||
	    tb_buf_get_u16be(&c->b, &q.class) == -1)
		return DNS_ETRUNC;
	if (r == DNS_ESPACE || m->nq >= DNS_MAX_QD) {
		m->arena_used = mark;
		m->ndropped++;
		return 0;
	}
	m->q[m->nq++] = q;
	return 0;
}

/* The first good OPT of the additional section, kept or not. */
static void
edns_note(struct dns_msg *m, const struct dns_rr *rr)
{
	if (rr->type == DNS_T_OPT && rr->section == DNS_SEC_ADDITIONAL &&
	    rr->err == 0 && !m->edns.has_opt) {
		m->edns = rr->rd.opt;
		m->edns.has_opt = 1;
	}
}

static void
rr_keep(struct dns_ctx *c, const struct dns_rr *rr)
{
	struct dns_msg	*m = c->m;

	if (rr->err != 0) {
		m->nbad++;
		if (c->first_err == 0)
			c->first_err = rr->err;
	}
	edns_note(m, rr);
	m->rr[m->nrr++] = *rr;
	m->nsec[rr->section]++;
}

static int
rr_parse(struct dns_ctx *c, int sec)
{
	struct dns_msg	*m = c->m;
	struct dns_rr	 rr;
	struct tb_buf	 rd;
	size_t		 mark = m->arena_used, base;
	int		 r;

	memset(&rr, 0, sizeof(rr));
	rr.section = (uint8_t)sec;
	if ((r = ctx_name(c, &c->b, 0, &rr.name)) != 0 && r != DNS_ESPACE)
		return r;
	if (tb_buf_get_u16be(&c->b, &rr.type) == -1 ||
	    tb_buf_get_u16be(&c->b, &rr.class) == -1 ||
	    tb_buf_get_u32be(&c->b, &rr.ttl) == -1 ||
	    tb_buf_get_u16be(&c->b, &rr.rdlength) == -1)
		return DNS_ETRUNC;
	base = c->b.off;
	if (tb_buf_sub(&c->b, rr.rdlength, &rd) == -1)
		return DNS_ERDLEN;
	if (r != DNS_ESPACE && rd_decode(c, &rd, base, &rr) != DNS_ESPACE) {
		if (m->nrr < DNS_MAX_RRS) {
			rr_keep(c, &rr);
			return 0;
		}
		edns_note(m, &rr);	/* the rcode needs it all the same */
	}
	m->arena_used = mark;
	m->ndropped++;
	return 0;
}

static int
sections_parse(struct dns_ctx *c)
{
	const struct dns_hdr	*h = &c->m->hdr;
	unsigned		 n[4], i;
	int			 sec, r;

	n[DNS_SEC_QUESTION] = h->qdcount;
	n[DNS_SEC_ANSWER] = h->ancount;
	n[DNS_SEC_AUTHORITY] = h->nscount;
	n[DNS_SEC_ADDITIONAL] = h->arcount;
	for (i = 0; i < n[DNS_SEC_QUESTION]; i++)
		if ((r = q_parse(c)) != 0)
			return r;
	for (sec = DNS_SEC_ANSWER; sec <= DNS_SEC_ADDITIONAL; sec++)
		for (i = 0; i < n[sec]; i++)
			if ((r = rr_parse(c, sec)) != 0)
				return r;
	return 0;
}

int
dns_parse(const uint8_t *msg, size_t len, struct dns_msg *m)
{
	struct dns_ctx	c;
	int		r;

	/* The arena need not be cleared: only what is written is read. */
	memset(m, 0, offsetof(struct dns_msg, arena));
	memset(&c, 0, sizeof(c));
	c.msg = msg;
	c.len = msg == NULL ? 0 : len;
	c.m = m;
	tb_buf_init(&c.b, msg, c.len);
	if ((r = hdr_parse(&c)) == 0) {
		if (!counts_fit(&m->hdr, tb_buf_left(&c.b)))
			c.first_err = DNS_ECOUNT;
		r = sections_parse(&c);
	}
	if (r != 0)
		m->is_partial = 1;
	else
		m->ntrailing = tb_buf_left(&c.b);
	if (m->edns.has_opt)
		m->hdr.rcode = (uint16_t)(m->edns.ext_rcode << 4 |
		    (m->hdr.flags & 0xf));
	return c.first_err != 0 ? c.first_err : r;
}

/* --- lookups over a parsed message -------------------------------------- */

const char *
dns_strerror(int err)
{
	if (err > 0 || (size_t)-err >= NITEMS(dns_errors) ||
	    dns_errors[-err] == NULL)
		return "unknown error";
	return dns_errors[-err];
}

const struct dns_rr *
dns_section(const struct dns_msg *m, int sec, unsigned *n)
{
	unsigned	first = 0;
	int		s;

	*n = 0;
	if (sec < DNS_SEC_ANSWER || sec > DNS_SEC_ADDITIONAL)
		return NULL;
	for (s = DNS_SEC_ANSWER; s < sec; s++)
		first += m->nsec[s];
	*n = m->nsec[sec];
	return &m->rr[first];
}

int
dns_txt_string(const struct dns_rr *rr, unsigned i, const uint8_t **p,
    size_t *len)
{
	struct tb_buf	b;
	uint8_t		n;

	if (rr->type != DNS_T_TXT || rr->err != 0)
		return -1;
	tb_buf_init(&b, rr->rd.txt.raw, rr->rd.txt.rawlen);
	for (;;) {
		if (tb_buf_get_u8(&b, &n) == -1 || n > tb_buf_left(&b))
			return -1;
		if (i-- == 0)
			break;
		(void)tb_buf_skip(&b, n);
	}
	*p = tb_buf_cur(&b);
	*len = n;
	return 0;
}

/* ASCII-only: names here are escaped, so this is wire-format equality. */
static int
name_eq(const char *a, const char *b)
{
	unsigned char	x, y;

	do {
		x = (unsigned char)*a++;
		y = (unsigned char)*b++;
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
	} while (x == y && x != '\0');
	return x == y;
}

static const struct dns_rr *
cname_find(const struct dns_msg *m, const char *owner)
{
	const struct dns_rr	*rr;
	unsigned		 n, i;

	rr = dns_section(m, DNS_SEC_ANSWER, &n);
	for (i = 0; i < n; i++)
		if (rr[i].type == DNS_T_CNAME && rr[i].err == 0 &&
		    name_eq(rr[i].name, owner))
			return &rr[i];
	return NULL;
}

int
dns_cname_chain(const struct dns_msg *m, const char **names, size_t max,
    size_t *n)
{
	const struct dns_rr	*rr;
	size_t			 i;

	*n = 0;
	if (m->nq == 0 || max == 0)
		return 0;
	names[(*n)++] = m->q[0].name;
	while ((rr = cname_find(m, names[*n - 1])) != NULL) {
		for (i = 0; i < *n; i++)
			if (name_eq(names[i], rr->rd.target))
				return DNS_ELOOP;
		if (*n >= max || *n >= DNS_MAX_CHAIN)
			return DNS_ECHAIN;
		names[(*n)++] = rr->rd.target;
	}
	return 0;
}

int
dns_negative_ttl(const struct dns_msg *m, uint32_t *ttl)
{
	const struct dns_rr	*rr;
	unsigned		 n, i;

	rr = dns_section(m, DNS_SEC_AUTHORITY, &n);
	for (i = 0; i < n; i++) {
		if (rr[i].type != DNS_T_SOA || rr[i].err != 0)
			continue;
		*ttl = rr[i].ttl < rr[i].rd.soa.minimum ? rr[i].ttl :
		    rr[i].rd.soa.minimum;
		return 0;
	}
	return -1;
}

size_t
dns_flags_str(uint16_t flags, char *buf, size_t len)
{
	size_t	i, n = 0;
	int	r;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < NITEMS(dns_flags); i++) {
		if (!(flags & dns_flags[i].value))
			continue;
		r = snprintf(buf + n, len - n, "%s%s", n > 0 ? " " : "",
		    dns_flags[i].name);
		if (r < 0 || (size_t)r >= len - n) {
			buf[n] = '\0';
			break;
		}
		n += (size_t)r;
	}
	return n;
}

/* --- mnemonics ---------------------------------------------------------- */

static const char *
mn_name(const struct dns_mnemonic *t, size_t nt, uint16_t v,
    const char *prefix, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < nt; i++)
		if (t[i].value == v)
			return t[i].name;
	if (buf == NULL || len == 0)
		return "?";
	snprintf(buf, len, "%s%u", prefix, v);
	return buf;
}

const char *
dns_type_name(uint16_t type, char *buf, size_t len)
{
	return mn_name(dns_types, NITEMS(dns_types), type, "TYPE", buf, len);
}

const char *
dns_rcode_name(uint16_t rcode, char *buf, size_t len)
{
	return mn_name(dns_rcodes, NITEMS(dns_rcodes), rcode, "RCODE", buf,
	    len);
}

const char *
dns_class_name(uint16_t class, char *buf, size_t len)
{
	return mn_name(dns_classes, NITEMS(dns_classes), class, "CLASS", buf,
	    len);
}

const char *
dns_section_name(int sec)
{
	static const char *const names[] = {
		"question", "answer", "authority", "additional",
	};

	if (sec < 0 || sec >= (int)NITEMS(names))
		return "?";
	return names[sec];
}

int
dns_type_from_name(const char *s)
{
	unsigned long	v = 0;
	size_t		i;

	for (i = 0; i < NITEMS(dns_types); i++)
		if (name_eq(s, dns_types[i].name))
			return dns_types[i].value;
	if (strncasecmp(s, "TYPE", 4) != 0 || s[4] == '\0')
		return -1;
	for (s += 4; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if ((v = v * 10 + (unsigned long)(*s - '0')) > 65535)
			return -1;
	}
	return (int)v;
}

/* --- names typed by the user -------------------------------------------- */

/* One character of a label at s[*i], escapes decoded; -1 if bad. */
static int
name_char(const char *s, size_t *i)
{
	unsigned char	c = (unsigned char)s[*i];
	int		v;

	if (c != '\\') {
		if (c <= 0x20 || c >= 0x7f)
			return -1;
		(*i)++;
		return c;
	}
	c = (unsigned char)s[*i + 1];
	if (c >= '0' && c <= '9') {
		if (s[*i + 2] < '0' || s[*i + 2] > '9' ||
		    s[*i + 3] < '0' || s[*i + 3] > '9')
			return -1;
		v = (c - '0') * 100 + (s[*i + 2] - '0') * 10 + s[*i + 3] - '0';
		if (v > 255)
			return -1;
		*i += 4;
		return v;
	}
	if (c <= 0x20 || c >= 0x7f)
		return -1;
	*i += 2;
	return c;
}

/* The label at s[*i] into lab; its length, or -1 with err filled. */
static int
label_scan(const char *s, size_t *i, uint8_t *lab, char *err, size_t errlen)
{
	size_t	start = *i;
	int	n = 0, c;

	while (s[*i] != '\0' && s[*i] != '.') {
		if ((c = name_char(s, i)) == -1) {
			snprintf(err, errlen, "bad character or escape at "
			    "offset %zu (use \\DDD, or the xn-- form for "
			    "non-ASCII names)", *i);
			return -1;
		}
		if (n == 63) {
			snprintf(err, errlen, "label at offset %zu is longer "
			    "than 63 bytes", start);
			return -1;
		}
		lab[n++] = (uint8_t)c;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty label at offset %zu", start);
		return -1;
	}
	return n;
}

static int
name_to_wire(const char *s, uint8_t *wire, size_t *wlen, char *err,
    size_t errlen)
{
	uint8_t	lab[63];
	size_t	i = 0, n = 0;
	int	k;

	if (s == NULL || s[0] == '\0') {
		snprintf(err, errlen, "empty name");
		return -1;
	}
	if (strcmp(s, ".") != 0) {
		for (;;) {
			if ((k = label_scan(s, &i, lab, err, errlen)) == -1)
				return -1;
			if (n + 1 + (size_t)k + 1 > DNS_NAME_WIRE_MAX) {
				snprintf(err, errlen, "name is longer than "
				    "253 characters");
				return -1;
			}
			wire[n++] = (uint8_t)k;
			memcpy(&wire[n], lab, (size_t)k);
			n += (size_t)k;
			if (s[i] == '\0' || s[++i] == '\0')
				break;	/* the end, or one trailing dot */
		}
	}
	wire[n++] = 0;
	*wlen = n;
	return 0;
}

int
dns_name_check(const char *name, char *err, size_t errlen)
{
	uint8_t	wire[DNS_NAME_WIRE_MAX];
	size_t	wlen;

	return name_to_wire(name, wire, &wlen, err, errlen);
}

static size_t
put16(uint8_t *p, size_t off, unsigned v)
{
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
	return off + 2;
}

int
dns_build_query(uint8_t *buf, size_t len, uint16_t id, const char *name,
    uint16_t type, int rd, int edns_udp)
{
	uint8_t	wire[DNS_NAME_WIRE_MAX];
	size_t	wlen, need, n;

	if (name_to_wire(name, wire, &wlen, NULL, 0) == -1)
		return DNS_ENAME;
	need = 12 + wlen + 4 + (edns_udp > 0 ? 11 : 0);
	if (buf == NULL || need > len)
		return DNS_ESPACE;
	n = put16(buf, 0, id);
	n = put16(buf, n, rd ? DNS_F_RD : 0);
	n = put16(buf, n, 1);
	n = put16(buf, n, 0);
	n = put16(buf, n, 0);
	n = put16(buf, n, edns_udp > 0);
	memcpy(&buf[n], wire, wlen);
	n = put16(buf, n + wlen, type);
	n = put16(buf, n, DNS_C_IN);
	if (edns_udp > 0) {
		buf[n++] = 0;				/* root owner */
		n = put16(buf, n, DNS_T_OPT);
		n = put16(buf, n, edns_udp > 65535 ? 65535 :
		    (unsigned)edns_udp);
		n = put16(buf, n, 0);			/* ext-rcode, version */
		n = put16(buf, n, 0);			/* flags */
		n = put16(buf, n, 0);			/* rdlength */
	}
	return (int)n;
}
