#include "config.h"

#include "model/tls_sni.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"

#define REC_HDR_LEN		5
#define REC_HANDSHAKE		22
/* RFC 8446 5.2: a ciphertext record's cap, the most any record holds. */
#define REC_LEN_MAX		(16384 + 2048)
#define HS_HDR_LEN		4
#define HS_CLIENT_HELLO		1
#define HELLO_RANDOM_LEN	32
#define SESSION_ID_MAX		32
#define VERSION_MIN		0x0300
#define VERSION_MAX		0x0304

#define EXT_SERVER_NAME		0
#define EXT_ALPN		16
#define EXT_SUPPORTED_VERSIONS	43
#define SNI_HOST_NAME		0

#define ALPN_CUT		"..."

/* The handshake bytes, gathered out of as many records as they span. */
struct hs_gather {
	uint8_t		 buf[TLS_HELLO_MAX];
	size_t		 len;
	size_t		 want;		/* 0 until the handshake header is in */
};

/* The extensions we read, each allowed once (RFC 8446 4.2). */
struct ext_seen {
	int		 sni, alpn, versions;
};

static const struct {
	uint16_t	 v;
	const char	*name;
} tls_versions[] = {
	{ 0x0304, "TLS 1.3" },
	{ 0x0303, "TLS 1.2" },
	{ 0x0302, "TLS 1.1" },
	{ 0x0301, "TLS 1.0" },
	{ 0x0300, "SSL 3.0" },
};

static int
version_is_ok(uint16_t v)
{
	return v >= VERSION_MIN && v <= VERSION_MAX;
}

/* RFC 8701: 0x0a0a, 0x1a1a ... 0xfafa are there to be ignored. */
static int
version_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

int
tls_is_handshake(const uint8_t *p, size_t n)
{
	struct tb_buf	 b;
	uint8_t		 type;
	uint16_t	 version, len;

	tb_buf_init(&b, p, n);
	if (tb_buf_get_u8(&b, &type) == -1)
		return -1;
	if (type != REC_HANDSHAKE)
		return 0;
	/* Judge the version by its first byte while the second is missing. */
	if (tb_buf_left(&b) == 1)
		return tb_buf_cur(&b)[0] == VERSION_MIN >> 8 ? -1 : 0;
	if (tb_buf_get_u16be(&b, &version) == -1)
		return -1;
	if (!version_is_ok(version))
		return 0;
	if (tb_buf_get_u16be(&b, &len) == -1)
		return -1;
	return len > 0 && len <= REC_LEN_MAX;
}

static void
gather_copy(struct hs_gather *g, const uint8_t **p, size_t *n, size_t want)
{
	size_t	 take = *n < want - g->len ? *n : want - g->len;

	if (take == 0)
		return;
	memcpy(g->buf + g->len, *p, take);
	g->len += take;
	*p += take;
	*n -= take;
}

/* Feed one record's body; -1 when the handshake cannot be a hello. */
static int
gather_add(struct hs_gather *g, const uint8_t *p, size_t n)
{
	uint32_t	 hs_len;

	if (g->want == 0) {
		gather_copy(g, &p, &n, HS_HDR_LEN);
		if (g->len < HS_HDR_LEN)
			return 0;
		if (g->buf[0] != HS_CLIENT_HELLO)
			return -1;
		hs_len = (uint32_t)g->buf[1] << 16 |
		    (uint32_t)g->buf[2] << 8 | g->buf[3];
		if (hs_len > sizeof(g->buf) - HS_HDR_LEN)
			return -1;
		g->want = HS_HDR_LEN + hs_len;
	}
	gather_copy(g, &p, &n, g->want);
	return 0;
}

/*
 * Walk the records until the handshake message is whole: 1, 0 when the
 * bytes end first, -1 on a record that cannot belong to a ClientHello.
 */
static int
gather_records(struct tb_buf *b, struct hs_gather *g, uint16_t *rec_version)
{
	uint8_t		 type;
	uint16_t	 version, len;
	const uint8_t	*body;
	size_t		 have;

	while (g->want == 0 || g->len < g->want) {
		if (tb_buf_get_u8(b, &type) == -1)
			return 0;
		if (type != REC_HANDSHAKE)
			return -1;
		if (tb_buf_get_u16be(b, &version) == -1)
			return tb_buf_left(b) == 1 &&
			    tb_buf_cur(b)[0] != VERSION_MIN >> 8 ? -1 : 0;
		if (!version_is_ok(version))
			return -1;
		if (*rec_version == 0)
			*rec_version = version;
		if (tb_buf_get_u16be(b, &len) == -1)
			return 0;
		if (len == 0 || len > REC_LEN_MAX)
			return -1;
		have = tb_buf_left(b) < len ? tb_buf_left(b) : len;
		body = tb_buf_cur(b);
		if (gather_add(g, body, have) == -1)
			return -1;
		if (have < len) {
			/* The bytes end inside this record. */
			return g->want != 0 && g->len >= g->want ? 1 : 0;
		}
		(void)tb_buf_skip(b, len);
	}
	return 1;
}

static int
ext_server_name(struct tb_buf *e, struct tls_hello *out)
{
	struct tb_buf	 list, name;
	uint16_t	 list_len, name_len;
	uint8_t		 type;

	if (tb_buf_get_u16be(e, &list_len) == -1 ||
	    tb_buf_sub(e, list_len, &list) == -1 || tb_buf_left(e) != 0 ||
	    list_len == 0)
		return -1;
	while (tb_buf_left(&list) > 0) {
		if (tb_buf_get_u8(&list, &type) == -1 ||
		    tb_buf_get_u16be(&list, &name_len) == -1 ||
		    tb_buf_sub(&list, name_len, &name) == -1 || name_len == 0)
			return -1;
		if (type != SNI_HOST_NAME || out->has_sni)
			continue;
		/* Raw bytes, NUL and ESC included: views sanitize. */
		out->sni_len = name_len > TLS_SNI_MAX ? TLS_SNI_MAX : name_len;
		memcpy(out->sni, tb_buf_cur(&name), out->sni_len);
		out->sni[out->sni_len] = '\0';
		out->has_sni = 1;
	}
	return 0;
}

/* Append to out->alpn; *total counts what the full list would need. */
static void
alpn_append(struct tls_hello *out, size_t *total, const uint8_t *p,
    size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++, (*total)++)
		if (*total < TLS_ALPN_MAX)
			out->alpn[*total] = (char)p[i];
}

static int
ext_alpn(struct tb_buf *e, struct tls_hello *out)
{
	struct tb_buf	 list;
	uint16_t	 list_len;
	uint8_t		 name_len;
	size_t		 total = 0;

	if (tb_buf_get_u16be(e, &list_len) == -1 ||
	    tb_buf_sub(e, list_len, &list) == -1 || tb_buf_left(e) != 0 ||
	    list_len == 0)
		return -1;
	while (tb_buf_left(&list) > 0) {
		if (tb_buf_get_u8(&list, &name_len) == -1 || name_len == 0 ||
		    tb_buf_left(&list) < name_len)
			return -1;
		if (total > 0)
			alpn_append(out, &total, (const uint8_t *)",", 1);
		alpn_append(out, &total, tb_buf_cur(&list), name_len);
		(void)tb_buf_skip(&list, name_len);
	}
	if (total > TLS_ALPN_MAX) {
		memcpy(out->alpn + TLS_ALPN_MAX - strlen(ALPN_CUT), ALPN_CUT,
		    strlen(ALPN_CUT));
		total = TLS_ALPN_MAX;
	}
	out->alpn[total] = '\0';
	return 0;
}

static int
ext_supported_versions(struct tb_buf *e, struct tls_hello *out)
{
	uint8_t		 list_len;
	uint16_t	 v;

	if (tb_buf_get_u8(e, &list_len) == -1 || list_len == 0 ||
	    list_len % 2 != 0 || tb_buf_left(e) != list_len)
		return -1;
	while (tb_buf_get_u16be(e, &v) == 0)
		if (!version_is_grease(v) && v > out->max_version)
			out->max_version = v;
	return 0;
}

static int
hello_ext(uint16_t type, struct tb_buf *e, struct ext_seen *seen,
    struct tls_hello *out)
{
	switch (type) {
	case EXT_SERVER_NAME:
		if (seen->sni++)
			return -1;
		return ext_server_name(e, out);
	case EXT_ALPN:
		if (seen->alpn++)
			return -1;
		return ext_alpn(e, out);
	case EXT_SUPPORTED_VERSIONS:
		if (seen->versions++)
			return -1;
		return ext_supported_versions(e, out);
	default:
		return 0;
	}
}

static int
hello_exts(struct tb_buf *b, struct tls_hello *out)
{
	struct ext_seen	 seen = { 0, 0, 0 };
	struct tb_buf	 exts, e;
	uint16_t	 exts_len, type, len;

	/* SSL 3.0-era hellos may end before the extensions block. */
	if (tb_buf_left(b) == 0)
		return 0;
	if (tb_buf_get_u16be(b, &exts_len) == -1 ||
	    tb_buf_sub(b, exts_len, &exts) == -1 || tb_buf_left(b) != 0)
		return -1;
	while (tb_buf_left(&exts) > 0) {
		if (tb_buf_get_u16be(&exts, &type) == -1 ||
		    tb_buf_get_u16be(&exts, &len) == -1 ||
		    tb_buf_sub(&exts, len, &e) == -1)
			return -1;
		if (hello_ext(type, &e, &seen, out) == -1)
			return -1;
	}
	return 0;
}

static int
hello_body(struct tb_buf *b, struct tls_hello *out)
{
	uint8_t		 sid_len, comp_len;
	uint16_t	 suites_len;

	if (tb_buf_get_u16be(b, &out->hello_version) == -1 ||
	    out->hello_version >> 8 != VERSION_MIN >> 8 ||
	    tb_buf_skip(b, HELLO_RANDOM_LEN) == -1 ||
	    tb_buf_get_u8(b, &sid_len) == -1 || sid_len > SESSION_ID_MAX ||
	    tb_buf_skip(b, sid_len) == -1 ||
	    tb_buf_get_u16be(b, &suites_len) == -1 || suites_len == 0 ||
	    suites_len % 2 != 0 || tb_buf_skip(b, suites_len) == -1 ||
	    tb_buf_get_u8(b, &comp_len) == -1 || comp_len == 0 ||
	    tb_buf_skip(b, comp_len) == -1)
		return -1;
	if (hello_exts(b, out) == -1)
		return -1;
	if (out->max_version == 0)
		out->max_version = out->hello_version;
	return 0;
}

int
tls_client_hello(const uint8_t *p, size_t n, struct tls_hello *out)
{
	struct hs_gather	 g;
	struct tb_buf		 b;
	int			 r;

	memset(out, 0, sizeof(*out));
	g.len = g.want = 0;
	tb_buf_init(&b, p, n);
	r = gather_records(&b, &g, &out->record_version);
	if (r == 1) {
		tb_buf_init(&b, g.buf + HS_HDR_LEN, g.want - HS_HDR_LEN);
		r = hello_body(&b, out) == -1 ? -1 : 1;
	}
	/* Half a hello is no answer: a view must not show its pieces. */
	if (r != 1)
		memset(out, 0, sizeof(*out));
	return r;
}

const char *
tls_version_str(uint16_t v, char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(tls_versions) / sizeof(tls_versions[0]); i++)
		if (tls_versions[i].v == v)
			return tls_versions[i].name;
	snprintf(buf, len, "0x%04x", v);
	return buf;
}
