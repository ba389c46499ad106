/*
 * Bounds-checked reader over untrusted bytes.  Every getter returns 0, or
 * -1 and leaves the buffer untouched when fewer bytes remain than asked.
 */
#ifndef TUBES_BUF_H
#define TUBES_BUF_H

#include <stddef.h>
#include <stdint.h>

struct tb_buf {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
};

void	tb_buf_init(struct tb_buf *, const void *, size_t);
size_t	tb_buf_left(const struct tb_buf *);
const uint8_t *tb_buf_cur(const struct tb_buf *);
int	tb_buf_skip(struct tb_buf *, size_t);
int	tb_buf_get_u8(struct tb_buf *, uint8_t *);
int	tb_buf_get_u16be(struct tb_buf *, uint16_t *);
int	tb_buf_get_u32be(struct tb_buf *, uint32_t *);
int	tb_buf_get_u16ne(struct tb_buf *, uint16_t *);	/* host order */
int	tb_buf_get_u32ne(struct tb_buf *, uint32_t *);
int	tb_buf_get_bytes(struct tb_buf *, void *, size_t);
/* Carve the next n bytes off as a sub-buffer (n checked). */
int	tb_buf_sub(struct tb_buf *, size_t, struct tb_buf *);

#endif
