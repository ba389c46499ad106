#include "config.h"

#include "view/help.h"

#include <string.h>

#include "view/pane.h"
#include "view/theme.h"
#include "view/widgets.h"

static const char *const help_general[] = {
	"# tubes " PACKAGE_VERSION,
	"Follows a request the way a browser does, and shows what the "
	"machine's network is doing. Each pane shows one part; the focused "
	"pane has the highlighted border.",
	"# Keys",
	"- Tab / Shift-Tab: focus the next / previous pane",
	"- Enter: zoom the focused pane to the whole screen, and back",
	"- Up / Down, PgUp / PgDn, Home / End: scroll the focused pane",
	"- /: filter the focused pane's rows by a substring (Enter applies, "
	"Esc cancels, an empty filter shows every row)",
	"- p: pause the display (data keeps being collected)",
	"- j: the journey of the target's request on one screen: the DNS "
	"lookup, the TCP connect, the time to the first response byte, the "
	"transfer, the close and the TIME_WAIT countdown of the socket it "
	"left, as bars on one time scale with their numbers; j, q or Esc "
	"goes back. It needs a target: tubes URL watches requests to it, "
	"tubes --fetch URL makes one.",
	"- t: trace the selected address (a DNS answer, or the server of an "
	"HTTP exchange's detail): the trace pane starts over towards it.",
	"- ?: this help, again to close (Up / Down scroll it)",
	"- q: quit",
	"Addresses are labeled with the names DNS gave them (tubes' lookups, "
	"and DNS answers seen in the capture) in the HTTP, trace and sockets "
	"panes; -n shows addresses only.",
	NULL
};

struct help_ctx {
	WINDOW			*win;
	const struct theme	*t;
	int			 line;		/* wrapped line number */
	int			 first, y0, rows, x, w;
	int			 is_after_text;	/* a paragraph was just drawn */
};

/* Emit one wrapped line if it falls in the visible window. */
static void
help_line(struct help_ctx *c, int indent, attr_t a, const char *s,
    size_t len)
{
	char	buf[512];
	int	y = c->y0 + c->line - c->first;

	c->line++;
	if (y < c->y0 || y >= c->y0 + c->rows)
		return;
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	widgets_put(c->win, y, c->x + indent, c->w - indent, a, buf);
}

static void
help_para(struct help_ctx *c, const char *p)
{
	const char	*s;
	size_t		 len;
	attr_t		 a = theme_attr(c->t, THEME_NORMAL);
	int		 indent = 0;

	if (strncmp(p, "# ", 2) == 0) {
		if (c->line > 0)
			help_line(c, 0, a, "", 0);
		help_line(c, 0, theme_attr(c->t, THEME_HEADER), p + 2,
		    strlen(p + 2));
		c->is_after_text = 0;
		return;
	}
	/* Plain paragraphs after other text get a blank line; bullets not. */
	if (strncmp(p, "- ", 2) != 0 && c->is_after_text)
		help_line(c, 0, a, "", 0);
	c->is_after_text = 1;
	if (strncmp(p, "- ", 2) == 0) {
		help_line(c, 2, a, "-", 1);
		c->line--;		/* the text goes on the same line */
		p += 2;
		indent = 4;
	}
	for (s = p; *s != '\0';) {
		s = widgets_wrap(p = s, c->w - indent, &len);
		help_line(c, indent, a, p, len);
	}
}

static void
help_text(struct help_ctx *c, const struct pane_ops *const *ops, int nops)
{
	const char *const	*p;
	int			 i;

	for (p = help_general; *p != NULL; p++)
		help_para(c, *p);
	for (i = 0; i < nops; i++)
		for (p = ops[i]->help; p != NULL && *p != NULL; p++)
			help_para(c, *p);
}

int
help_draw(WINDOW *win, const struct theme *t,
    const struct pane_ops *const *ops, int nops, int *scroll)
{
	struct help_ctx	c;
	int		h, w, total;

	getmaxyx(win, h, w);
	memset(&c, 0, sizeof(c));
	c.win = win;
	c.t = t;
	c.y0 = 1;
	c.x = 2;
	c.w = w - 4;
	c.rows = h - 2;
	if (c.w < 10 || c.rows < 1)
		return 0;
	/* Count first, so the scroll can be clamped before drawing. */
	c.first = 1 << 30;
	help_text(&c, ops, nops);
	total = c.line;
	if (*scroll > total - c.rows)
		*scroll = total - c.rows;
	if (*scroll < 0)
		*scroll = 0;
	werase(win);
	c.line = 0;
	c.is_after_text = 0;
	c.first = *scroll;
	help_text(&c, ops, nops);
	widgets_box(win, t, "help: ? or Esc closes, arrows scroll", NULL, 1);
	return total;
}
