/*
 * Colors, attributes and glyphs.  Roles, not colors, are named in the
 * panes: with NO_COLOR (or a terminal without colors) each role falls back
 * to bold/reverse/underline, and without a UTF-8 locale the glyphs are ASCII.
 */
#ifndef TUBES_VIEW_THEME_H
#define TUBES_VIEW_THEME_H

#include <curses.h>

enum theme_role {
	THEME_NORMAL = 0,
	THEME_DIM,		/* zero counts, secondary text */
	THEME_BOLD,		/* values */
	THEME_BORDER,
	THEME_BORDER_FOCUS,
	THEME_TITLE,
	THEME_TITLE_FOCUS,
	THEME_HEADER,		/* table column names */
	THEME_HILITE,		/* rows worth a look (TIME_WAIT-heavy) */
	THEME_WARN,		/* warning alerts */
	THEME_CRIT,		/* critical alerts, errors */
	THEME_STATUS,		/* the bottom status line */
	THEME_PAUSED,		/* the PAUSED marker */
	THEME_PROMPT,		/* the filter prompt */
	THEME_NROLES
};

#define THEME_NSPARK	8	/* sparkline levels */

struct theme {
	attr_t		 attr[THEME_NROLES];
	int		 has_color;
	int		 is_utf8;
	const char	*spark[THEME_NSPARK];	/* lowest to highest */
	const char	*ellipsis;		/* marks clipped text */
	const char	*arrow_left;		/* "<-": from */
	const char	*arrow_right;		/* "->": to */
};

/* Fill t; call after initscr().  Colors are used only when want_color and
 * the terminal has them. */
void	theme_init(struct theme *, int want_color, int is_utf8);
/* True when the NO_COLOR convention asks for no colors (no-color.org). */
int	theme_no_color_env(void);

static inline attr_t
theme_attr(const struct theme *t, enum theme_role r)
{
	return t->attr[r];
}

#endif
