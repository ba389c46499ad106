/* Pane tiling as pure arithmetic (no curses), so it can be unit-tested. */
#ifndef TUBES_VIEW_LAYOUT_H
#define TUBES_VIEW_LAYOUT_H

struct layout_rect {
	int	y, x, h, w;
};

/*
 * Tile n panes (1..4) into a rows x cols area starting at row top:
 * 1 = full, 2 = side by side when wide (>= 160 cols) else stacked,
 * 3-4 = a 2x2 grid (the 3rd spanning the bottom when n == 3); an area too
 * small for a grid stacks.  Returns n, or 0 when the area is too small to
 * hold any pane (the UI then shows a "terminal too small" line).
 */
int	layout_tile(int n, int top, int rows, int cols,
	    struct layout_rect *out);

#endif
