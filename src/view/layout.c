/*
 * Pane tiling.  Pure arithmetic: no curses here, so t_layout links without
 * ncurses and the rules stay testable.
 */
#include "config.h"

#include "view/layout.h"

#include <stddef.h>

/* Smallest pane that still shows a border and one line of content. */
#define LAYOUT_MIN_H		3
#define LAYOUT_MIN_W		20
/* A grid cell narrower than this is useless for the tables we draw. */
#define LAYOUT_GRID_MIN_W	30
#define LAYOUT_GRID_MIN_H	5
/* Two panes sit side by side only on a really wide terminal. */
#define LAYOUT_SIDE_MIN_COLS	160

static void
layout_set(struct layout_rect *r, int y, int x, int h, int w)
{
	r->y = y;
	r->x = x;
	r->h = h;
	r->w = w;
}

/* n panes one above the other; the last one takes the leftover rows. */
static int
layout_stack(int n, int top, int rows, int cols, struct layout_rect *out)
{
	int	i, h, y;

	if (rows / n < LAYOUT_MIN_H || cols < LAYOUT_MIN_W)
		return 0;
	h = rows / n;
	for (i = 0, y = top; i < n; i++, y += h)
		layout_set(&out[i], y, 0, i == n - 1 ? rows - h * i : h, cols);
	return n;
}

static int
layout_side(int top, int rows, int cols, struct layout_rect *out)
{
	int	w = cols / 2;

	layout_set(&out[0], top, 0, rows, w);
	layout_set(&out[1], top, w, rows, cols - w);
	return 2;
}

/* 2x2 grid; with three panes the third spans the bottom row. */
static int
layout_grid(int n, int top, int rows, int cols, struct layout_rect *out)
{
	int	h = rows / 2, w = cols / 2;

	layout_set(&out[0], top, 0, h, w);
	layout_set(&out[1], top, w, h, cols - w);
	if (n == 3)
		layout_set(&out[2], top + h, 0, rows - h, cols);
	else {
		layout_set(&out[2], top + h, 0, rows - h, w);
		layout_set(&out[3], top + h, w, rows - h, cols - w);
	}
	return n;
}

int
layout_tile(int n, int top, int rows, int cols, struct layout_rect *out)
{
	if (n < 1 || n > 4 || out == NULL)
		return 0;
	if (rows < LAYOUT_MIN_H || cols < LAYOUT_MIN_W)
		return 0;
	if (n == 1) {
		layout_set(&out[0], top, 0, rows, cols);
		return 1;
	}
	if (n == 2 && cols >= LAYOUT_SIDE_MIN_COLS)
		return layout_side(top, rows, cols, out);
	if (n >= 3 && cols / 2 >= LAYOUT_GRID_MIN_W &&
	    rows / 2 >= LAYOUT_GRID_MIN_H)
		return layout_grid(n, top, rows, cols, out);
	return layout_stack(n, top, rows, cols, out);
}
