#include "config.h"

#include "buf.h"

#include <string.h>

void
tb_buf_init(struct tb_buf *b, const void *p, size_t len)
{
	b->p = p;
	b->len = p == NULL ? 0 : len;
	b->off = 0;
}

size_t
tb_buf_left(const struct tb_buf *b)
{
	return b->len - b->off;
}

const uint8_t *
tb_buf_cur(const struct tb_buf *b)
{
	/* NULL + 0 is undefined in C: an empty buffer may have no data. */
	return b->p == NULL ? NULL : b->p + b->off;
}

int
tb_buf_skip(struct tb_buf *b, size_t n)
{
	if (n > tb_buf_left(b))
		return -1;
	b->off += n;
	return 0;
}

int
tb_buf_get_bytes(struct tb_buf *b, void *dst, size_t n)
{
	if (n > tb_buf_left(b))
		return -1;
	if (n > 0)
		memcpy(dst, b->p + b->off, n);
	b->off += n;
	return 0;
}

int
tb_buf_get_u8(struct tb_buf *b, uint8_t *v)
{
	return tb_buf_get_bytes(b, v, 1);
}

int
tb_buf_get_u16be(struct tb_buf *b, uint16_t *v)
{
	uint8_t	x[2];

	if (tb_buf_get_bytes(b, x, sizeof(x)) == -1)
		return -1;
	*v = (uint16_t)(x[0] << 8 | x[1]);
	return 0;
}

int
tb_buf_get_u32be(struct tb_buf *b, uint32_t *v)
{
	uint8_t	x[4];

	if (tb_buf_get_bytes(b, x, sizeof(x)) == -1)
		return -1;
	*v = (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 |
	    (uint32_t)x[2] << 8 | x[3];
	return 0;
}

int
tb_buf_get_u16ne(struct tb_buf *b, uint16_t *v)
{
	return tb_buf_get_bytes(b, v, sizeof(*v));
}

int
tb_buf_get_u32ne(struct tb_buf *b, uint32_t *v)
{
	return tb_buf_get_bytes(b, v, sizeof(*v));
}

int
tb_buf_sub(struct tb_buf *b, size_t n, struct tb_buf *sub)
{
	if (n > tb_buf_left(b))
		return -1;
	tb_buf_init(sub, tb_buf_cur(b), n);
	b->off += n;
	return 0;
}
