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
