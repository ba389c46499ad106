#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

static const uint8_t	data[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

static void
test_getters(void)
{
	struct tb_buf	b;
	uint8_t		u8, bytes[8];
	uint16_t	u16;
	uint32_t	u32;

	tb_buf_init(&b, data, sizeof(data));
	is_int(tb_buf_left(&b), 7, "fresh buffer: all left");
	ok(tb_buf_get_u8(&b, &u8) == 0 && u8 == 0x01, "u8");
	ok(tb_buf_get_u16be(&b, &u16) == 0 && u16 == 0x0203, "u16 big endian");
	ok(tb_buf_get_u32be(&b, &u32) == 0 && u32 == 0x04050607,
	    "u32 big endian");
	is_int(tb_buf_left(&b), 0, "nothing left");
	u8 = 0xaa;
	is_int(tb_buf_get_u8(&b, &u8), -1, "u8 past the end fails");
	is_int(u8, 0xaa, "failed read leaves the output alone");
	is_int(b.off, 7, "failed read leaves the offset");

	tb_buf_init(&b, data, sizeof(data));
	tb_buf_skip(&b, 5);
	is_int(tb_buf_get_u32be(&b, &u32), -1, "u32 with 2 left fails");
	is_int(b.off, 5, "offset unchanged after a short u32");
	is_int(tb_buf_get_u16ne(&b, &u16), 0, "u16ne with 2 left");
	ok(memcmp(&u16, data + 5, 2) == 0, "u16ne is host order");
	is_int(tb_buf_get_u16be(&b, &u16), -1, "u16 at the end fails");

	tb_buf_init(&b, data, sizeof(data));
	is_int(tb_buf_skip(&b, 8), -1, "skip past the end fails");
	is_int(b.off, 0, "offset unchanged after a bad skip");
	is_int(tb_buf_skip(&b, SIZE_MAX), -1, "huge skip fails");
	is_int(tb_buf_get_bytes(&b, bytes, 8), -1, "8 bytes of 7 fail");
	ok(tb_buf_get_bytes(&b, bytes, 7) == 0 &&
	    memcmp(bytes, data, 7) == 0, "all 7 bytes");
	is_int(tb_buf_get_bytes(&b, bytes, 0), 0, "zero bytes at the end");
	ok(tb_buf_get_u32ne(&b, &u32) == -1, "u32ne at the end fails");
}

static void
test_sub(void)
{
	struct tb_buf	b, sub, empty;
	uint8_t		u8;
	uint16_t	u16;

	tb_buf_init(&b, data, sizeof(data));
	tb_buf_skip(&b, 1);
	is_int(tb_buf_sub(&b, 3, &sub), 0, "carve 3 bytes");
	is_int(b.off, 4, "parent moved past the sub-buffer");
	is_int(tb_buf_left(&sub), 3, "sub-buffer holds 3");
	ok(tb_buf_get_u16be(&sub, &u16) == 0 && u16 == 0x0203,
	    "sub-buffer reads its own bytes");
	ok(tb_buf_get_u16be(&sub, &u16) == -1,
	    "sub-buffer cannot read into the parent's bytes");
	ok(tb_buf_get_u8(&sub, &u8) == 0 && u8 == 0x04, "last sub byte");
	is_int(tb_buf_sub(&b, 4, &sub), -1, "sub larger than what is left");
	is_int(b.off, 4, "parent unchanged after a bad sub");
	is_int(tb_buf_sub(&b, 3, &sub), 0, "sub of the rest");
	is_int(tb_buf_sub(&b, 0, &empty), 0, "empty sub at the end");
	is_int(tb_buf_left(&empty), 0, "empty sub has nothing");

	tb_buf_init(&b, NULL, 10);
	is_int(tb_buf_left(&b), 0, "NULL data means length 0");
	is_int(tb_buf_get_u8(&b, &u8), -1, "read from NULL buffer fails");
	is_int(tb_buf_sub(&b, 0, &empty), 0, "empty sub of a NULL buffer");
	ok(tb_buf_cur(&b) == NULL, "cursor of a NULL buffer");
}

int
main(void)
{
	test_getters();
	test_sub();
	return done_testing();
}
