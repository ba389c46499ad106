/*
 * Small drawing helpers shared by the panes: clipped text, boxes with
 * titles, sparklines, word wrapping.  Text is counted in screen columns,
 * so UTF-8 glyphs (sparklines, the "—" in alert messages) clip correctly.
 * Never pass external text as a format: sanitize it, then widgets_put().
 */
#ifndef TUBES_VIEW_WIDGETS_H
#define TUBES_VIEW_WIDGETS_H

#include <curses.h>
#include <stddef.h>

struct theme;

#define WIDGETS_LEFT	0
#define WIDGETS_RIGHT	1

/* One column of a pane's table. */
struct widgets_col {
	const char	*title;
	int		 min_w;
	int		 prio;		/* 0 always shown; higher drops first */
	int		 align;		/* WIDGETS_LEFT or WIDGETS_RIGHT */
};

/* Spare width rule: widen column col up to upto columns. */
struct widgets_grow {
	int		 col;
	int		 upto;
};

/*
 * Fit ncols columns into w screen columns (one blank between columns):
 * whole priority levels in order while they fit, then the spare width by
 * the grow rules in order.  cw[i] gets column i's width, 0 when hidden.
 * Returns how many columns are shown.
 */
int	widgets_fit_cols(const struct widgets_col *, int ncols,
	    const struct widgets_grow *, size_t ngrow, int w, int *cw);

/*
 * A pane's table: its columns, the widths that fit and where each
 * starts.  Fixed arrays so a frame can hold one without allocating;
 * a pane with more columns than WIDGETS_MAX_COLS shows the first ones.
 */
#define WIDGETS_MAX_COLS	16

struct widgets_table {
	const struct widgets_col *cols;
	int		 ncols;
	int		 x, w;			/* the columns it spans */
	int		 cw[WIDGETS_MAX_COLS];	/* width, 0 when hidden */
	int		 cx[WIDGETS_MAX_COLS];	/* first screen column */
	int		 right;		/* after the last shown column + 1 */
};

/* widgets_fit_cols() into [x, x+w), then place the shown columns. */
void	widgets_table_fit(struct widgets_table *, const struct widgets_col *,
	    int ncols, const struct widgets_grow *, size_t ngrow, int x, int w);
/* s in column col of row y, aligned as the column says; hidden: nothing. */
void	widgets_table_cell(WINDOW *, const struct theme *,
	    const struct widgets_table *, int y, int col, attr_t,
	    const char *s);
/* Row y across the table in attribute a, with the column titles. */
void	widgets_table_header(WINDOW *, const struct theme *,
	    const struct widgets_table *, int y, attr_t a);

/*
 * A pane's nrows rows, each one or more lines, scrolled by lines: the
 * first scroll lines of the rows the filter keeps are skipped, then lines
 * are drawn until the bottom.  nlines says how many lines row i takes, 0
 * when the filter hides it; draw(i, k, prev, y) draws line k of row i at
 * screen row y, prev being the row kept before i (drawn or scrolled off;
 * SIZE_MAX for none), for panes that group rows.  draw is only called
 * for the row nlines was last called for, so a pane may keep what nlines
 * worked out for it in arg.
 */
struct widgets_rows {
	size_t	(*nlines)(void *arg, size_t i);
	void	(*draw)(void *arg, size_t i, size_t k, size_t prev, int y);
};

/* Draw from screen row y up to ybot (excluded); returns the next free row. */
int	widgets_rows_draw(const struct widgets_rows *, void *arg, size_t nrows,
	    size_t scroll, int y, int ybot);
/* Lines of all the rows the filter keeps, for the UI's scrolling. */
size_t	widgets_rows_count(const struct widgets_rows *, void *arg,
	    size_t nrows);

/*
 * Milliseconds, less precise as they grow (1.23, 12.3, 123); "-" for
 * none (negative), NaN or infinity, "big" from 1e9 on, so a bogus value
 * never takes a whole cell.
 */
void	widgets_fmt_ms(char *buf, size_t len, double ms);

/* Columns s takes on screen. */
int	widgets_width(const char *s);
/* Draw s at (y, x), at most maxw columns; returns the columns drawn. */
int	widgets_put(WINDOW *, int y, int x, int maxw, attr_t, const char *s);
/* Formatted widgets_put() for text we compose (numbers, labels). */
int	widgets_printf(WINDOW *, int y, int x, int maxw, attr_t,
	    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* s padded or clipped (with an ellipsis) to exactly w columns. */
void	widgets_cell(WINDOW *, const struct theme *, int y, int x, int w,
	    attr_t, int align, const char *s);
/* Blank columns [x, x+w) of row y. */
void	widgets_blank(WINDOW *, int y, int x, int w);
/* Border with title on the top edge and an optional note bottom right. */
void	widgets_box(WINDOW *, const struct theme *, const char *title,
	    const char *note, int is_focused);
/* Sparkline of the last w of n samples, scaled to their maximum. */
void	widgets_spark(WINDOW *, const struct theme *, int y, int x, int w,
	    attr_t, const unsigned *v, size_t n);
/*
 * Word wrap: the first line of s that fits width columns.  *len gets its
 * length in bytes; returns where the next line starts ("" at the end).
 */
const char *widgets_wrap(const char *s, int width, size_t *len);

#endif
