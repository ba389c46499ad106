/* layout_tile: counts, shapes, no overlap, everything inside the area. */
#include "config.h"

#include "view/layout.h"

#include <stdio.h>

#include "tap.h"

static int
rect_overlaps(const struct layout_rect *a, const struct layout_rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	    a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Every rect non-empty, inside [top, top+rows) x [0, cols), disjoint,
 * and together they cover the whole area. */
static int
tile_is_sane(int n, int top, int rows, int cols)
{
	struct layout_rect	r[4];
	long			area = 0;
	int			i, j, got;

	if ((got = layout_tile(n, top, rows, cols, r)) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (r[i].h <= 0 || r[i].w <= 0 || r[i].x < 0 ||
		    r[i].y < top || r[i].x + r[i].w > cols ||
		    r[i].y + r[i].h > top + rows)
			return 0;
		for (j = 0; j < i; j++)
			if (rect_overlaps(&r[i], &r[j]))
				return 0;
		area += (long)r[i].h * r[i].w;
	}
	return area == (long)rows * cols;
}

static void
test_sizes(void)
{
	static const int	sizes[][2] = {
		{ 23, 80 }, { 59, 200 }, { 29, 100 }, { 24, 80 }, { 50, 160 },
		{ 11, 41 }, { 7, 20 },
	};
	size_t			i;
	int			n;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (n = 1; n <= 4; n++) {
			if (sizes[i][0] < 3 * n)
				continue;
			ok(tile_is_sane(n, 1, sizes[i][0], sizes[i][1]),
			    "%d pane(s) in %dx%d: inside, disjoint, covering",
			    n, sizes[i][1], sizes[i][0]);
		}
}

static void
test_shapes(void)
{
	struct layout_rect	r[4];

	is_int(layout_tile(1, 0, 23, 80, r), 1, "one pane at 80x24");
	ok(r[0].y == 0 && r[0].x == 0 && r[0].h == 23 && r[0].w == 80,
	    "one pane fills the area");

	is_int(layout_tile(2, 0, 23, 80, r), 2, "two panes at 80x24");
	ok(r[0].w == 80 && r[1].w == 80 && r[1].y > r[0].y,
	    "two panes stack on a narrow terminal");

	is_int(layout_tile(2, 0, 59, 200, r), 2, "two panes at 200x60");
	ok(r[0].h == 59 && r[1].h == 59 && r[1].x == 100,
	    "two panes side by side on a wide terminal");

	is_int(layout_tile(3, 0, 23, 80, r), 3, "three panes at 80x24");
	ok(r[2].w == 80 && r[0].w == 40 && r[1].x == 40,
	    "the third pane spans the bottom");

	is_int(layout_tile(4, 0, 59, 200, r), 4, "four panes at 200x60");
	ok(r[0].w == 100 && r[3].x == 100 && r[3].y == 29 && r[3].h == 30,
	    "four panes in a 2x2 grid");

	is_int(layout_tile(4, 0, 23, 50, r), 4, "four panes at 50 columns");
	ok(r[0].w == 50 && r[3].w == 50 && r[3].y > r[2].y,
	    "too narrow for a grid: stacked");
}

static void
test_too_small(void)
{
	struct layout_rect	r[4];

	is_int(layout_tile(1, 0, 2, 80, r), 0, "two rows: too small");
	is_int(layout_tile(1, 0, 23, 10, r), 0, "ten columns: too small");
	is_int(layout_tile(4, 0, 8, 50, r), 0, "four panes in eight rows");
	is_int(layout_tile(0, 0, 23, 80, r), 0, "zero panes");
	is_int(layout_tile(5, 0, 23, 80, r), 0, "five panes");
	is_int(layout_tile(1, 0, 0, 0, r), 0, "empty area");
}

int
main(void)
{
	test_shapes();
	test_sizes();
	test_too_small();
	return done_testing();
}
