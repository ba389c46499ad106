/*
 * The packet a unit test is building, big-endian, one per test program
 * (like tap.h, a header of static definitions for single-file tests).
 * Writing past the buffer is a bug in the test: it aborts loudly.
 */
#ifndef TUBES_TESTS_WB_H
#define TUBES_TESTS_WB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WB_SIZE	8192

struct wb {
	uint8_t	b[WB_SIZE];
	size_t	n;
};

static struct wb	w;

static void
wb_room(size_t n)
{
	if (n > sizeof(w.b) - w.n) {
		fprintf(stderr, "test packet over %zu bytes\n", sizeof(w.b));
		abort();
	}
}

static void __attribute__((unused))
put8(unsigned v)
{
	wb_room(1);
	w.b[w.n++] = (uint8_t)v;
}

static void __attribute__((unused))
put16(unsigned v)
{
	put8(v >> 8);
	put8(v);
}

static void __attribute__((unused))
put32(uint32_t v)
{
	put16(v >> 16);
	put16(v & 0xffff);
}

static void __attribute__((unused))
putbytes(const void *p, size_t n)
{
	wb_room(n);
	memcpy(&w.b[w.n], p, n);
	w.n += n;
}

static void __attribute__((unused))
putzero(size_t n)
{
	wb_room(n);
	memset(&w.b[w.n], 0, n);
	w.n += n;
}

#endif
