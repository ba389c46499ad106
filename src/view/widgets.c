#include "config.h"

#include "view/widgets.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "view/theme.h"

/* Bytes and columns of the character at s; bad bytes count as one each. */
static size_t
widgets_char(const char *s, size_t left, int *cols)
{
	mbstate_t	 st;
	wchar_t		 wc;
	size_t		 n;
	int		 w;

	*cols = 1;
	if ((unsigned char)*s < 0x80 || MB_CUR_MAX == 1)
		return 1;
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, left, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
		return 1;
	if ((w = wcwidth(wc)) >= 0)
		*cols = w;
	return n;
}

/* Bytes of the longest prefix of s that fits maxw columns. */
static size_t
widgets_fit(const char *s, int maxw, int *cols)
{
	size_t	 i = 0, left = strlen(s), n;
	int	 c, used = 0;

	while (i < left) {
		n = widgets_char(s + i, left - i, &c);
		if (used + c > maxw)
			break;
		used += c;
		i += n;
	}
	*cols = used;
	return i;
}

int
widgets_width(const char *s)
{
	int	cols;

	widgets_fit(s, 1 << 30, &cols);
	return cols;
}

int
widgets_put(WINDOW *win, int y, int x, int maxw, attr_t a, const char *s)
{
	size_t	n;
	int	cols;

	if (maxw <= 0 || s == NULL)
		return 0;
	n = widgets_fit(s, maxw, &cols);
	if (n == 0)
		return 0;
	wattrset(win, a);
	mvwaddnstr(win, y, x, s, (int)n);
	wattrset(win, A_NORMAL);
	return cols;
}

int
widgets_printf(WINDOW *win, int y, int x, int maxw, attr_t a,
    const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return widgets_put(win, y, x, maxw, a, buf);
}

void
widgets_blank(WINDOW *win, int y, int x, int w)
{
	wattrset(win, A_NORMAL);
	if (w > 0)
		mvwhline(win, y, x, ' ', w);
}

void
widgets_cell(WINDOW *win, const struct theme *t, int y, int x, int w,
    attr_t a, int align, const char *s)
{
	int	sw, el, pad;

	if (w <= 0)
		return;
	sw = widgets_width(s);
	if (sw > w) {
		el = widgets_width(t->ellipsis);
		pad = widgets_put(win, y, x, w - el, a, s);
		widgets_put(win, y, x + pad, w - pad, a, t->ellipsis);
		return;
	}
	pad = align == WIDGETS_RIGHT ? w - sw : 0;
	wattrset(win, a);
	mvwhline(win, y, x, ' ', w);
	widgets_put(win, y, x + pad, sw, a, s);
}

void
widgets_box(WINDOW *win, const struct theme *t, const char *title,
    const char *note, int is_focused)
{
	attr_t	ab, at;
	int	h, w, n;

	getmaxyx(win, h, w);
	ab = theme_attr(t, is_focused ? THEME_BORDER_FOCUS : THEME_BORDER);
	at = theme_attr(t, is_focused ? THEME_TITLE_FOCUS : THEME_TITLE);
	wattrset(win, ab);
	if (t->is_utf8)
		box(win, 0, 0);
	else
		wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
	wattrset(win, A_NORMAL);
	if (title != NULL && w > 6) {
		n = widgets_width(title) + 2;
		if (n > w - 4)
			n = w - 4;
		wattrset(win, at);
		mvwhline(win, 0, 2, ' ', n);
		widgets_put(win, 0, 3, n - 2, at, title);
	}
	if (note != NULL && *note != '\0' && h > 2 && w > 12) {
		n = widgets_width(note);
		if (n > w - 6)
			n = w - 6;
		widgets_put(win, h - 1, w - 2 - n, n, ab, note);
	}
}

void
widgets_spark(WINDOW *win, const struct theme *t, int y, int x, int w,
    attr_t a, const unsigned *v, size_t n)
{
	unsigned	max = 0;
	size_t		i, first;
	int		lvl;

	if (w <= 0)
		return;
	first = n > (size_t)w ? n - (size_t)w : 0;
	for (i = first; i < n; i++)
		if (v[i] > max)
			max = v[i];
	wattrset(win, a);
	for (i = first; i < n; i++, x++) {
		if (v[i] == 0 || max == 0) {
			mvwaddch(win, y, x, ' ');
			continue;
		}
		lvl = (int)((unsigned long long)v[i] * (THEME_NSPARK - 1) /
		    max);
		mvwaddstr(win, y, x, t->spark[lvl]);
	}
	wattrset(win, A_NORMAL);
}

const char *
widgets_wrap(const char *s, int width, size_t *len)
{
	size_t	 i = 0, left = strlen(s), n, brk = 0;
	int	 c, used = 0;

	while (i < left && s[i] != '\n') {
		n = widgets_char(s + i, left - i, &c);
		if (used + c > width)
			break;
		if (s[i] == ' ')
			brk = i;
		used += c;
		i += n;
	}
	if (i < left && s[i] != '\n' && s[i] != ' ' && brk > 0)
		i = brk;		/* break at the last space */
	else if (i == 0 && left > 0 && s[0] != '\n')
		i = widgets_char(s, left, &c);	/* always progress */
	*len = i;
	while (s[i] == ' ')
		i++;
	if (s[i] == '\n')
		i++;
	return s + i;
}

int
widgets_fit_cols(const struct widgets_col *cols, int ncols,
    const struct widgets_grow *grow, size_t ngrow, int w, int *cw)
{
	int	prio, maxprio = 0, i, c, used = -1, n = 0, add;
	size_t	g;

	for (i = 0; i < ncols; i++) {
		cw[i] = 0;
		if (cols[i].prio > maxprio)
			maxprio = cols[i].prio;
	}
	for (prio = 0; prio <= maxprio; prio++)
		for (i = 0; i < ncols; i++) {
			if (cols[i].prio != prio ||
			    used + 1 + cols[i].min_w > w)
				continue;
			cw[i] = cols[i].min_w;
			used += 1 + cw[i];
			n++;
		}
	for (g = 0; g < ngrow; g++) {
		c = grow[g].col;
		if (cw[c] == 0 || used >= w || cw[c] >= grow[g].upto)
			continue;
		add = grow[g].upto - cw[c];
		if (add > w - used)
			add = w - used;
		cw[c] += add;
		used += add;
	}
	return n;
}

void
widgets_table_fit(struct widgets_table *tb, const struct widgets_col *cols,
    int ncols, const struct widgets_grow *grow, size_t ngrow, int x, int w)
{
	int	i;

	tb->cols = cols;
	tb->ncols = ncols < WIDGETS_MAX_COLS ? ncols : WIDGETS_MAX_COLS;
	tb->x = x;
	tb->w = w;
	widgets_fit_cols(cols, tb->ncols, grow, ngrow, w, tb->cw);
	/* Hidden columns start where the next shown one does. */
	for (i = 0; i < tb->ncols; i++) {
		tb->cx[i] = x;
		if (tb->cw[i] > 0)
			x += tb->cw[i] + 1;
	}
	tb->right = x;
}

void
widgets_table_cell(WINDOW *win, const struct theme *t,
    const struct widgets_table *tb, int y, int col, attr_t a, const char *s)
{
	if (col >= 0 && col < tb->ncols && tb->cw[col] > 0)
		widgets_cell(win, t, y, tb->cx[col], tb->cw[col], a,
		    tb->cols[col].align, s);
}

void
widgets_table_header(WINDOW *win, const struct theme *t,
    const struct widgets_table *tb, int y, attr_t a)
{
	int	i;

	/* The blanks between columns are part of the header bar too. */
	wattrset(win, a);
	mvwhline(win, y, tb->x, ' ', tb->w);
	for (i = 0; i < tb->ncols; i++)
		widgets_table_cell(win, t, tb, y, i, a, tb->cols[i].title);
}

int
widgets_rows_draw(const struct widgets_rows *rs, void *arg, size_t nrows,
    size_t scroll, int y, int ybot)
{
	size_t	i, n, k, skipped = 0, prev = SIZE_MAX;

	for (i = 0; i < nrows && y < ybot; i++) {
		if ((n = rs->nlines(arg, i)) == 0)
			continue;
		k = 0;
		/* A row can straddle the top: start at its first line shown. */
		if (skipped < scroll) {
			if (skipped + n <= scroll) {
				skipped += n;
				prev = i;
				continue;
			}
			k = scroll - skipped;
			skipped = scroll;
		}
		for (; k < n && y < ybot; k++, y++)
			rs->draw(arg, i, k, prev, y);
		prev = i;
	}
	return y;
}

size_t
widgets_rows_count(const struct widgets_rows *rs, void *arg, size_t nrows)
{
	size_t	i, count = 0;

	for (i = 0; i < nrows; i++)
		count += rs->nlines(arg, i);
	return count;
}

void
widgets_fmt_ms(char *buf, size_t len, double ms)
{
	/* !(ms >= 0) also catches NaN, which compares false to everything. */
	if (!(ms >= 0) || isinf(ms))
		snprintf(buf, len, "-");
	else if (ms < 10)
		snprintf(buf, len, "%.2f", ms);
	else if (ms < 1000)
		snprintf(buf, len, "%.1f", ms);
	else if (ms < 1e9)
		snprintf(buf, len, "%.0f", ms);
	else
		snprintf(buf, len, "big");
}
