#include "config.h"

#include "view/theme.h"

#include <stdlib.h>

/* Color pair numbers; 0 is the terminal's default. */
enum {
	THEME_PAIR_FOCUS = 1,
	THEME_PAIR_WARN,
	THEME_PAIR_CRIT,
	THEME_PAIR_HILITE,
	THEME_PAIR_STATUS,
	THEME_PAIR_PAUSED,
	THEME_PAIR_HEADER,
};

static const char *const theme_spark_utf8[THEME_NSPARK] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char *const theme_spark_ascii[THEME_NSPARK] = {
	"_", ".", ",", "-", "~", "=", "+", "#",
};

/* Attributes when colors are off: only what every terminal renders. */
static const attr_t theme_mono[THEME_NROLES] = {
	[THEME_NORMAL] = A_NORMAL,
	[THEME_DIM] = A_NORMAL,
	[THEME_BOLD] = A_BOLD,
	[THEME_BORDER] = A_NORMAL,
	[THEME_BORDER_FOCUS] = A_BOLD,
	[THEME_TITLE] = A_NORMAL,
	[THEME_TITLE_FOCUS] = A_REVERSE | A_BOLD,
	[THEME_HEADER] = A_UNDERLINE,
	[THEME_HILITE] = A_BOLD,
	[THEME_WARN] = A_BOLD,
	[THEME_CRIT] = A_REVERSE | A_BOLD,
	[THEME_STATUS] = A_REVERSE,
	[THEME_PAUSED] = A_BOLD,
	[THEME_PROMPT] = A_NORMAL,
};

int
theme_no_color_env(void)
{
	const char	*s = getenv("NO_COLOR");

	return s != NULL && *s != '\0';
}

static void
theme_colors(struct theme *t)
{
	start_color();
	use_default_colors();
	init_pair(THEME_PAIR_FOCUS, COLOR_CYAN, -1);
	init_pair(THEME_PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(THEME_PAIR_CRIT, COLOR_WHITE, COLOR_RED);
	init_pair(THEME_PAIR_HILITE, COLOR_YELLOW, -1);
	init_pair(THEME_PAIR_STATUS, COLOR_BLACK, COLOR_CYAN);
	init_pair(THEME_PAIR_PAUSED, COLOR_BLACK, COLOR_YELLOW);
	init_pair(THEME_PAIR_HEADER, COLOR_CYAN, -1);
	t->attr[THEME_DIM] = A_DIM;
	t->attr[THEME_BORDER_FOCUS] = COLOR_PAIR(THEME_PAIR_FOCUS) | A_BOLD;
	t->attr[THEME_TITLE_FOCUS] = COLOR_PAIR(THEME_PAIR_STATUS) | A_BOLD;
	t->attr[THEME_HEADER] = COLOR_PAIR(THEME_PAIR_HEADER) | A_BOLD;
	t->attr[THEME_HILITE] = COLOR_PAIR(THEME_PAIR_HILITE);
	t->attr[THEME_WARN] = COLOR_PAIR(THEME_PAIR_WARN) | A_BOLD;
	t->attr[THEME_CRIT] = COLOR_PAIR(THEME_PAIR_CRIT) | A_BOLD;
	t->attr[THEME_STATUS] = COLOR_PAIR(THEME_PAIR_STATUS);
	t->attr[THEME_PAUSED] = COLOR_PAIR(THEME_PAIR_PAUSED) | A_BOLD;
}

void
theme_init(struct theme *t, int want_color, int is_utf8)
{
	int	i;

	for (i = 0; i < THEME_NROLES; i++)
		t->attr[i] = theme_mono[i];
	t->has_color = want_color && has_colors();
	if (t->has_color)
		theme_colors(t);
	t->is_utf8 = is_utf8;
	for (i = 0; i < THEME_NSPARK; i++)
		t->spark[i] = is_utf8 ? theme_spark_utf8[i] :
		    theme_spark_ascii[i];
	t->ellipsis = is_utf8 ? "\xe2\x80\xa6" : "~";
	t->arrow_left = is_utf8 ? "\xe2\x86\x90" : "<";
	t->arrow_right = is_utf8 ? "\xe2\x86\x92" : ">";
}
