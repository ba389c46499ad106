/*
 * The TUI shell: curses setup and teardown, tiling, focus, zoom, scrolling,
 * the filter prompt, pause, help, the journey view and the status line.
 * Panes draw their models through struct pane_ops; the shell never looks
 * inside a model.
 *
 * Drawing happens only in the loop's before-sleep hook, and only when a
 * pane's model generation moved or input or a resize made the screen
 * dirty.  Frames are composed with wnoutrefresh() and sent with one
 * doupdate(), so curses sends only the cells that changed.
 */
#include "config.h"

#include "view/ui.h"

#include <curses.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "opts.h"
#include "sanitize.h"
#include "xmalloc.h"
#include "view/help.h"
#include "view/layout.h"
#include "view/pane.h"
#include "view/theme.h"
#include "view/widgets.h"

#define UI_MAX_PANES		4
#define UI_KEYS_PER_WAKEUP	64	/* then yield to the other fds */
#define UI_ESC_DELAY_MS		25	/* Esc alone vs an escape sequence */
#define UI_KEY_ESC		27
#define UI_KEY_CTRL(c)		((c) & 0x1f)
#define UI_PROMPT_MAX		1040	/* a typed DNS name with escapes */
#define UI_MSG_MAX		256
#define UI_JOURNEY_TICK_MS	500	/* the TIME_WAIT countdown moves */

/* What the bottom-line prompt is for. */
#define UI_PROMPT_FILTER	1
#define UI_PROMPT_PANE		2	/* the focused pane's own prompt */

/* Every pane tubes knows, in screen order.  Only those enabled with
 * --panes whose model exists are shown. */
static const struct pane_ops *const ui_pane_table[] = {
	&pane_dns,
	&pane_trace,
	&pane_http,
	&pane_sockets,
};
#define UI_NPANE_TABLE	(sizeof(ui_pane_table) / sizeof(ui_pane_table[0]))

struct ui {
	struct tb_loop		*loop;
	const struct tb_opts	*opts;
	const struct ui_models	*models;
	SCREEN			*screen;
	struct theme		 theme;
	struct pane		 panes[UI_MAX_PANES];
	int			 npanes;
	int			 focus;
	WINDOW			*status;	/* bottom line; reads keys */
	WINDOW			*help;
	int			 help_scroll;
	int			 is_zoomed;
	int			 is_paused;
	int			 is_help;
	int			 is_journey;
	uint64_t		 journey_gen;	/* on screen */
	unsigned		 journey_timer;
	int			 is_prompt;	/* 0 or UI_PROMPT_* */
	int			 is_too_small;
	int			 is_dirty;	/* input or resize happened */
	char			 prompt[UI_PROMPT_MAX];
	size_t			 prompt_len;
	char			 msg[UI_MSG_MAX];	/* until the next key */
	int			 is_msg_info;	/* msg is news, not an error */
	unsigned		 drain_timer;
	unsigned		 tick_timer;
	unsigned		 tick_ms;	/* smallest pane tick_ms */
	uint64_t		 drawn_ms;	/* the last frame */
	unsigned		 frame_timer;	/* a frame held back */
};

/*
 * Models move with every packet block (20 ms under traffic): frames they
 * cause are at least this far apart, so a busy capture costs a few
 * redraws a second, not fifty.  Keys and resizes draw at once.
 */
#define UI_FRAME_MS	250

/* For the tb_fatal cleanup hook, which may run after ui_free(). */
static int	ui_is_active;

static void	ui_relayout(struct ui *);

/*
 * Crash restore.  endwin() is not async-signal-safe, so on a fatal signal
 * the terminal is put back with what is: tcsetattr() to the modes saved
 * before curses started, and write() of terminfo's own restore strings
 * (leave the alternate screen, show the cursor, reset attributes),
 * captured at start.  The signal is then re-raised with its default action.
 */
static struct termios	ui_saved_tio;
static int		ui_has_saved_tio;
static char		ui_restore_seq[128];
static size_t		ui_restore_len;

static void
ui_crash_add_cap(const char *name)
{
	char	*cap = tigetstr(name);
	size_t	 n;

	if (cap == NULL || cap == (char *)-1)
		return;
	n = strlen(cap);
	if (n >= sizeof(ui_restore_seq) - ui_restore_len)
		return;
	memcpy(ui_restore_seq + ui_restore_len, cap, n);
	ui_restore_len += n;
}

static void
ui_on_crash(int signo)
{
	if (ui_is_active) {
		if (ui_restore_len > 0)
			(void)!write(STDOUT_FILENO, ui_restore_seq,
			    ui_restore_len);
		if (ui_has_saved_tio)
			tcsetattr(STDIN_FILENO, TCSANOW, &ui_saved_tio);
	}
	raise(signo);	/* SA_RESETHAND: the default action now */
}

static void
ui_crash_install(void)
{
	static const int	 sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				    SIGABRT };
	struct sigaction	 sa;
	size_t			 i;

	ui_crash_add_cap("sgr0");
	ui_crash_add_cap("cnorm");
	ui_crash_add_cap("rmcup");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ui_on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void
ui_cleanup(void *arg)
{
	(void)arg;
	if (!ui_is_active)
		return;
	ui_is_active = 0;
	curs_set(1);
	endwin();
}

static struct pane *
ui_focused(struct ui *ui)
{
	return ui->npanes > 0 ? &ui->panes[ui->focus] : NULL;
}

/* --- drawing ----------------------------------------------------------- */

static int
ui_pane_note(const struct pane *p, size_t nrows, char *buf, size_t len)
{
	size_t	last;

	if (p->body_h <= 0 || nrows <= (size_t)p->body_h) {
		buf[0] = '\0';
		return 0;
	}
	last = p->scroll + (size_t)p->body_h;
	if (last > nrows)
		last = nrows;
	return snprintf(buf, len, " %zu-%zu of %zu ", p->scroll + 1, last,
	    nrows);
}

/* Keep the last page full: scroll never shows blank rows past the end. */
static int
ui_clamp_scroll(struct pane *p, size_t nrows)
{
	size_t	max;

	max = p->body_h > 0 && nrows > (size_t)p->body_h ?
	    nrows - (size_t)p->body_h : 0;
	if (p->scroll <= max)
		return 0;
	p->scroll = max;
	return 1;
}

static void
ui_draw_pane(struct ui *ui, struct pane *p)
{
	struct layout_rect	 area;
	char			 title[PANE_FILTER_MAX * 4 + 192];
	char			 filt[TB_SAN_BOUND(PANE_FILTER_MAX)];
	char			 extra[96];
	char			 note[64];
	size_t			 nrows;

	area.y = 1;
	area.x = 1;
	area.h = p->rect.h - 2;
	area.w = p->rect.w - 2;
	werase(p->win);
	p->ops->draw(p, &area, &ui->theme);
	nrows = p->ops->nrows(p);
	if (ui_clamp_scroll(p, nrows)) {
		werase(p->win);
		p->ops->draw(p, &area, &ui->theme);
	}
	p->drawn_gen = p->ops->generation(p);
	extra[0] = '\0';
	if (p->ops->title != NULL)
		p->ops->title(p, extra, sizeof(extra));
	filt[0] = '\0';
	if (p->filter[0] != '\0')
		tb_sanitize_str(filt, sizeof(filt), p->filter);
	snprintf(title, sizeof(title), "%s%s%s%s%s", p->ops->name,
	    extra[0] != '\0' ? "  " : "", extra, filt[0] != '\0' ? "  /" : "",
	    filt);
	ui_pane_note(p, nrows, note, sizeof(note));
	widgets_box(p->win, &ui->theme, title, note,
	    p->is_focused && ui->npanes > 1);
	wnoutrefresh(p->win);
}

static void
ui_draw_prompt(struct ui *ui)
{
	WINDOW		*w = ui->status;
	struct pane	*p = ui_focused(ui);
	attr_t		 a = theme_attr(&ui->theme, THEME_PROMPT);
	const char	*label = "filter /", *hint =
			    " (Enter applies, Esc cancels, empty clears)";
	const char	*text = ui->prompt;
	int		 cols = getmaxx(w), x, room;

	if (ui->is_prompt == UI_PROMPT_PANE && p != NULL) {
		label = p->ops->prompt_label;
		hint = " (Enter runs it, Esc cancels)";
	}
	wattrset(w, a);
	mvwhline(w, 0, 0, ' ', cols);
	x = widgets_put(w, 0, 0, cols, a, label);
	/* A long line shows its end, where the typing happens. */
	room = cols - x - 1;
	if (room > 0 && (int)ui->prompt_len > room)
		text += ui->prompt_len - (size_t)room;
	x += widgets_put(w, 0, x, room, a, text);
	widgets_put(w, 0, x + 2, cols - x - 2, theme_attr(&ui->theme,
	    THEME_DIM), hint);
	wmove(w, 0, x);
}

static void
ui_draw_status(struct ui *ui)
{
	WINDOW		*w = ui->status;
	struct pane	*p = ui_focused(ui);
	attr_t		 a = theme_attr(&ui->theme, THEME_STATUS);
	int		 cols = getmaxx(w), x, i;

	if (ui->is_prompt) {
		ui_draw_prompt(ui);
		wnoutrefresh(w);
		return;
	}
	wattrset(w, a);
	mvwhline(w, 0, 0, ' ', cols);
	x = widgets_put(w, 0, 0, cols, a, " tubes " PACKAGE_VERSION " |");
	for (i = 0; i < ui->npanes; i++)
		x += widgets_printf(w, 0, x, cols - x, a,
		    ui->npanes > 1 && i == ui->focus ? " [%s]" : " %s",
		    ui->panes[i].ops->name);
	x += widgets_put(w, 0, x, cols - x, a, " | ");
	if (ui->is_paused) {
		x += widgets_put(w, 0, x, cols - x,
		    theme_attr(&ui->theme, THEME_PAUSED), "PAUSED");
		x += widgets_put(w, 0, x, cols - x, a, " | ");
	}
	if (ui->msg[0] != '\0') {
		widgets_put(w, 0, x, cols - x, theme_attr(&ui->theme,
		    ui->is_msg_info ? THEME_BOLD : THEME_CRIT), ui->msg);
		wnoutrefresh(w);
		return;
	}
	if (ui->is_journey) {
		widgets_put(w, 0, x, cols - x, a, "JOURNEY | j q Esc:back "
		    "?:help");
		wnoutrefresh(w);
		return;
	}
	if (ui->is_zoomed)
		x += widgets_put(w, 0, x, cols - x, a, "ZOOM | ");
	if (p != NULL && p->filter[0] != '\0')
		x += widgets_put(w, 0, x, cols - x, a, "filtered | ");
	if (p != NULL && p->ops->keys_hint != NULL) {
		x += widgets_put(w, 0, x, cols - x, a, p->ops->keys_hint);
		x += widgets_put(w, 0, x, cols - x, a, " ");
	}
	widgets_put(w, 0, x, cols - x, a, "?:help q:quit p:pause /:filter "
	    "j:journey Enter:zoom Tab:focus");
	wnoutrefresh(w);
}

static void
ui_draw_too_small(struct ui *ui)
{
	werase(stdscr);
	widgets_put(stdscr, 0, 0, COLS, theme_attr(&ui->theme, THEME_CRIT),
	    "terminal too small");
	wnoutrefresh(stdscr);
}

static void
ui_draw_help(struct ui *ui)
{
	const struct pane_ops	*ops[UI_MAX_PANES];
	int			 i;

	for (i = 0; i < ui->npanes; i++)
		ops[i] = ui->panes[i].ops;
	help_draw(ui->help, &ui->theme, ops, ui->npanes,
	    &ui->help_scroll);
	wnoutrefresh(ui->help);
}

/* The journey over the panes, in the help's window (the screen less
 * the status line). */
static void
ui_draw_journey(struct ui *ui)
{
	ui->journey_gen = journey_view_generation(ui->models);
	journey_view_draw(ui->help, &ui->theme, ui->models);
	wnoutrefresh(ui->help);
}

static void
ui_draw(struct ui *ui)
{
	int	i;

	if (ui->is_too_small)
		ui_draw_too_small(ui);
	else if (ui->is_help && ui->help != NULL)
		ui_draw_help(ui);
	else if (ui->is_journey && ui->help != NULL)
		ui_draw_journey(ui);
	else {
		for (i = 0; i < ui->npanes; i++)
			if (ui->panes[i].win != NULL)
				ui_draw_pane(ui, &ui->panes[i]);
		if (ui->npanes == 0) {
			werase(stdscr);
			widgets_put(stdscr, 1, 1, COLS - 2, A_NORMAL,
			    "no pane to show (see --panes)");
			wnoutrefresh(stdscr);
		}
	}
	if (ui->status != NULL) {
		curs_set(ui->is_prompt ? 1 : 0);
		ui_draw_status(ui);
	}
	doupdate();
	ui->is_dirty = 0;
}

static void
ui_on_frame(void *arg)
{
	struct ui	*ui = arg;

	ui->frame_timer = 0;	/* the before-sleep hook draws it */
}

/* The before-sleep hook: redraw only when something moved. */
static void
ui_on_before_sleep(void *arg)
{
	struct ui	*ui = arg;
	uint64_t	 now;
	int		 i, is_moved;

	if (!ui_is_active)
		return;
	if (ui->is_dirty) {
		ui->drawn_ms = tb_now_ms();
		ui_draw(ui);
		return;
	}
	if (ui->frame_timer != 0)
		return;		/* a frame is already due */
	is_moved = 0;
	if (ui->is_journey && !ui->is_help && !ui->is_paused && !is_moved)
		is_moved = journey_view_generation(ui->models) !=
		    ui->journey_gen;
	for (i = 0; i < ui->npanes && !ui->is_paused && !is_moved &&
	    !ui->is_journey; i++)
		if (ui->panes[i].win != NULL &&
		    ui->panes[i].ops->generation(&ui->panes[i]) !=
		    ui->panes[i].drawn_gen)
			is_moved = 1;
	if (!is_moved)
		return;
	now = tb_now_ms();
	if (now < ui->drawn_ms + UI_FRAME_MS) {
		ui->frame_timer = tb_loop_timer(ui->loop,
		    ui->drawn_ms + UI_FRAME_MS, ui_on_frame, ui);
		return;
	}
	ui->drawn_ms = now;
	ui_draw(ui);
}

/* --- layout ------------------------------------------------------------ */

static void
ui_del_windows(struct ui *ui)
{
	int	i;

	for (i = 0; i < ui->npanes; i++) {
		if (ui->panes[i].win != NULL)
			delwin(ui->panes[i].win);
		ui->panes[i].win = NULL;
	}
	if (ui->status != NULL)
		delwin(ui->status);
	if (ui->help != NULL)
		delwin(ui->help);
	ui->status = ui->help = NULL;
}

static void
ui_place_panes(struct ui *ui, int rows, int cols)
{
	struct layout_rect	 r[UI_MAX_PANES];
	struct pane		*shown[UI_MAX_PANES];
	int			 i, n = 0;

	for (i = 0; i < ui->npanes; i++)
		if (!ui->is_zoomed || i == ui->focus)
			shown[n++] = &ui->panes[i];
	if (n == 0)
		return;
	if (layout_tile(n, 0, rows, cols, r) != n) {
		ui->is_too_small = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		shown[i]->rect = r[i];
		shown[i]->win = newwin(r[i].h, r[i].w, r[i].y, r[i].x);
		if (shown[i]->win == NULL)
			tb_fatalx("curses: cannot create a %dx%d window",
			    r[i].w, r[i].h);
	}
}

static void
ui_relayout(struct ui *ui)
{
	int	rows = LINES, cols = COLS;

	ui_del_windows(ui);
	ui->is_too_small = rows < 4 || cols < 20;
	if (rows >= 1 && cols >= 1) {
		ui->status = newwin(1, cols, rows - 1, 0);
		keypad(ui->status, TRUE);
		nodelay(ui->status, TRUE);
		leaveok(ui->status, FALSE);
	}
	if (!ui->is_too_small) {
		ui->help = newwin(rows - 1, cols, 0, 0);
		ui_place_panes(ui, rows - 1, cols);
	}
	if (ui->is_too_small)
		ui_del_windows(ui);
	/* Curses must forget what it thinks is on screen. */
	clearok(curscr, TRUE);
	ui->is_dirty = 1;
}

/* --- keys -------------------------------------------------------------- */

static void
ui_key_quit(struct ui *ui, int ch)
{
	(void)ch;
	tb_loop_stop(ui->loop);
}

static void
ui_key_focus(struct ui *ui, int ch)
{
	if (ui->npanes < 2)
		return;
	ui->panes[ui->focus].is_focused = 0;
	ui->focus = (ui->focus + (ch == KEY_BTAB ? ui->npanes - 1 : 1)) %
	    ui->npanes;
	ui->panes[ui->focus].is_focused = 1;
	if (ui->is_zoomed)
		ui_relayout(ui);
}

static void
ui_key_zoom(struct ui *ui, int ch)
{
	(void)ch;
	ui->is_zoomed = !ui->is_zoomed;
	ui_relayout(ui);
}

static void
ui_key_pause(struct ui *ui, int ch)
{
	(void)ch;
	ui->is_paused = !ui->is_paused;
}

static void
ui_key_help(struct ui *ui, int ch)
{
	(void)ch;
	ui->is_help = !ui->is_help;
	ui->help_scroll = 0;
}

static void	ui_on_journey_tick(void *);

/* While the journey shows, wake now and then: its countdown is clock. */
static void
ui_journey_arm(struct ui *ui)
{
	if (ui->journey_timer == 0 && ui->is_journey)
		ui->journey_timer = tb_loop_timer(ui->loop, tb_now_ms() +
		    UI_JOURNEY_TICK_MS, ui_on_journey_tick, ui);
}

static void
ui_on_journey_tick(void *arg)
{
	struct ui	*ui = arg;

	ui->journey_timer = 0;
	ui_journey_arm(ui);
}

/* Without a target there is no journey: the status line says how to
 * get one, and the panes stay. */
static void
ui_key_journey(struct ui *ui, int ch)
{
	(void)ch;
	if (!ui->is_journey && (ui->models == NULL ||
	    ui->models->target == NULL)) {
		snprintf(ui->msg, sizeof(ui->msg), "no target: tubes URL, or "
		    "--fetch URL");
		ui->is_msg_info = 1;
		return;
	}
	ui->is_journey = !ui->is_journey;
	if (!ui->is_journey && ui->journey_timer != 0) {
		tb_loop_timer_cancel(ui->loop, ui->journey_timer);
		ui->journey_timer = 0;
	}
	ui_journey_arm(ui);
}

static void
ui_key_redraw(struct ui *ui, int ch)
{
	(void)ch;
	ui_relayout(ui);
}

static void
ui_key_prompt(struct ui *ui, int ch)
{
	struct pane	*p = ui_focused(ui);

	(void)ch;
	if (p == NULL)
		return;
	ui->is_prompt = UI_PROMPT_FILTER;
	snprintf(ui->prompt, sizeof(ui->prompt), "%s", p->filter);
	ui->prompt_len = strlen(ui->prompt);
}

/* The focused pane's own prompt (a DNS lookup): starts empty. */
static void
ui_pane_prompt_open(struct ui *ui)
{
	ui->is_prompt = UI_PROMPT_PANE;
	ui->prompt[ui->prompt_len = 0] = '\0';
}

/* Enter on the prompt: apply the filter or hand the line to the pane. */
static void
ui_prompt_done(struct ui *ui, struct pane *p)
{
	char	err[UI_MSG_MAX];
	size_t	n;
	int	kind = ui->is_prompt;

	ui->is_prompt = 0;
	if (p == NULL)
		return;
	if (kind == UI_PROMPT_FILTER) {
		n = ui->prompt_len < sizeof(p->filter) ? ui->prompt_len :
		    sizeof(p->filter) - 1;
		memcpy(p->filter, ui->prompt, n);
		p->filter[n] = '\0';
		p->scroll = 0;
		return;
	}
	if (ui->prompt_len == 0 || p->ops->prompt == NULL)
		return;
	err[0] = '\0';
	if (p->ops->prompt(p, ui->prompt, err, sizeof(err)) == -1)
		tb_sanitize(ui->msg, sizeof(ui->msg), err, strlen(err), 0, 0);
}

/* New first row for a scroll key; page is the rows shown. */
static long
ui_scroll_to(int ch, long cur, long page, long max)
{
	long	to = cur;

	if (page < 1)
		page = 1;
	switch (ch) {
	case KEY_UP:
	case 'k':
		to = cur - 1;
		break;
	case KEY_DOWN:
		to = cur + 1;
		break;
	case KEY_PPAGE:
		to = cur - page;
		break;
	case KEY_NPAGE:
	case ' ':
		to = cur + page;
		break;
	case KEY_HOME:
	case 'g':
		to = 0;
		break;
	case KEY_END:
	case 'G':
		to = max;
		break;
	}
	if (to > max)
		to = max;
	return to < 0 ? 0 : to;
}

static void
ui_key_scroll(struct ui *ui, int ch)
{
	struct pane	*p = ui_focused(ui);
	long		 nrows, max;

	if (p == NULL || p->win == NULL)
		return;
	nrows = (long)p->ops->nrows(p);
	max = nrows > p->body_h ? nrows - p->body_h : 0;
	p->scroll = (size_t)ui_scroll_to(ch, (long)p->scroll, p->body_h, max);
}

struct ui_key {
	int	  key;
	void	(*fn)(struct ui *, int);
};

static const struct ui_key ui_keys[] = {
	{ .key = 'q', .fn = ui_key_quit },
	{ .key = 'Q', .fn = ui_key_quit },
	{ .key = '\t', .fn = ui_key_focus },
	{ .key = KEY_BTAB, .fn = ui_key_focus },
	{ .key = '\n', .fn = ui_key_zoom },
	{ .key = '\r', .fn = ui_key_zoom },
	{ .key = KEY_ENTER, .fn = ui_key_zoom },
	{ .key = 'p', .fn = ui_key_pause },
	{ .key = 'P', .fn = ui_key_pause },
	{ .key = '?', .fn = ui_key_help },
	{ .key = '/', .fn = ui_key_prompt },
	{ .key = 'j', .fn = ui_key_journey },
	{ .key = UI_KEY_CTRL('l'), .fn = ui_key_redraw },
	{ .key = KEY_UP, .fn = ui_key_scroll },
	{ .key = KEY_DOWN, .fn = ui_key_scroll },
	{ .key = KEY_PPAGE, .fn = ui_key_scroll },
	{ .key = KEY_NPAGE, .fn = ui_key_scroll },
	{ .key = KEY_HOME, .fn = ui_key_scroll },
	{ .key = KEY_END, .fn = ui_key_scroll },
	{ .key = 'k', .fn = ui_key_scroll },
	{ .key = 'g', .fn = ui_key_scroll },
	{ .key = 'G', .fn = ui_key_scroll },
	{ .key = ' ', .fn = ui_key_scroll },
};

static void
ui_prompt_key(struct ui *ui, int ch)
{
	struct pane	*p = ui_focused(ui);

	switch (ch) {
	case UI_KEY_ESC:
		ui->is_prompt = 0;
		return;
	case '\n':
	case '\r':
	case KEY_ENTER:
		ui_prompt_done(ui, p);
		return;
	case KEY_BACKSPACE:
	case 127:
	case UI_KEY_CTRL('h'):
		if (ui->prompt_len > 0)
			ui->prompt[--ui->prompt_len] = '\0';
		return;
	case UI_KEY_CTRL('u'):
		ui->prompt[ui->prompt_len = 0] = '\0';
		return;
	}
	/* Printable ASCII only: filters and lookups are addresses and
	 * names.  The filter is bounded by the pane's buffer. */
	if (ch >= 0x20 && ch < 0x7f && ui->prompt_len + 1 <
	    (ui->is_prompt == UI_PROMPT_FILTER ? PANE_FILTER_MAX :
	    sizeof(ui->prompt))) {
		ui->prompt[ui->prompt_len++] = (char)ch;
		ui->prompt[ui->prompt_len] = '\0';
	}
}

static void
ui_help_key(struct ui *ui, int ch)
{
	int	rows = ui->help != NULL ? getmaxy(ui->help) - 2 : 1;

	switch (ch) {
	case '?':
	case UI_KEY_ESC:
	case 'h':
		ui->is_help = 0;
		return;
	case 'q':
	case 'Q':
		ui_key_quit(ui, ch);
		return;
	}
	/* help_draw() clamps to the text, which may not be laid out yet. */
	ui->help_scroll = (int)ui_scroll_to(ch, ui->help_scroll, rows,
	    INT_MAX / 2);
}

/* Keys while the journey shows: q, Esc and j go back. */
static void
ui_journey_key(struct ui *ui, int ch)
{
	switch (ch) {
	case 'q':
	case 'Q':
	case 'j':
	case 'J':
	case UI_KEY_ESC:
		ui_key_journey(ui, ch);
		return;
	case '?':
		ui_key_help(ui, ch);
		return;
	case UI_KEY_CTRL('l'):
		ui_key_redraw(ui, ch);
		return;
	}
}

/* What the pane said about the key, onto the status line. */
static void
ui_take_pane_msg(struct ui *ui, struct pane *p)
{
	if (p == NULL || p->msg[0] == '\0')
		return;
	tb_sanitize(ui->msg, sizeof(ui->msg), p->msg, strnlen(p->msg,
	    sizeof(p->msg)), 0, 0);
	ui->is_msg_info = p->is_msg_info;
	p->msg[0] = '\0';
	p->is_msg_info = 0;
}

static void
ui_key(struct ui *ui, int ch)
{
	struct pane	*p;
	size_t		 i;

	ui->is_dirty = 1;
	ui->msg[0] = '\0';
	ui->is_msg_info = 0;
	if (ch == KEY_RESIZE) {
		ui_relayout(ui);
		return;
	}
	if (ui->is_prompt) {
		ui_prompt_key(ui, ch);
		return;
	}
	if (ui->is_help) {
		ui_help_key(ui, ch);
		return;
	}
	if (ui->is_journey) {
		ui_journey_key(ui, ch);
		return;
	}
	if ((p = ui_focused(ui)) != NULL && p->ops->key_first != NULL &&
	    p->ops->key_first(p, ch)) {
		ui_take_pane_msg(ui, p);
		return;
	}
	for (i = 0; i < sizeof(ui_keys) / sizeof(ui_keys[0]); i++)
		if (ui_keys[i].key == ch) {
			ui_keys[i].fn(ui, ch);
			return;
		}
	if ((p = ui_focused(ui)) == NULL)
		return;
	if (p->ops->prompt_key != 0 && p->ops->prompt_key == ch &&
	    p->ops->prompt != NULL)
		ui_pane_prompt_open(ui);
	else if (p->ops->key != NULL) {
		p->ops->key(p, ch);
		ui_take_pane_msg(ui, p);
	}
}

/* Wakes the loop so before-sleep asks the panes whether time moved
 * something on screen (a TTL counting down). */
static void
ui_on_tick(void *arg)
{
	struct ui	*ui = arg;

	ui->tick_timer = tb_loop_timer(ui->loop, tb_now_ms() + ui->tick_ms,
	    ui_on_tick, ui);
}

static void	ui_on_drain_timer(void *);

/* Read what is queued, a bounded amount per wakeup. */
static void
ui_drain_keys(struct ui *ui)
{
	int	n, ch;

	if (ui->status == NULL)
		return;
	for (n = 0; n < UI_KEYS_PER_WAKEUP; n++) {
		if ((ch = wgetch(ui->status)) == ERR)
			return;
		ui_key(ui, ch);
		if (!tb_loop_is_running(ui->loop) || ui->status == NULL)
			return;
	}
	/* More may sit in curses' own buffer, where poll() cannot see it. */
	if (ui->drain_timer == 0)
		ui->drain_timer = tb_loop_timer(ui->loop, tb_now_ms(),
		    ui_on_drain_timer, ui);
}

static void
ui_on_drain_timer(void *arg)
{
	struct ui	*ui = arg;

	ui->drain_timer = 0;
	ui_drain_keys(ui);
}

static void
ui_on_input(int fd, short revents, void *arg)
{
	struct ui	*ui = arg;

	(void)fd;
	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		/* The terminal went away: nothing left to show. */
		tb_loop_io_del(ui->loop, STDIN_FILENO);
		tb_loop_stop(ui->loop);
		return;
	}
	ui_drain_keys(ui);
}

/* SIGWINCH comes through the loop's signalfd, so curses' own handler never
 * runs: ask the terminal for its size and tell curses. */
static void
ui_on_winch(int signo, void *arg)
{
	struct ui	*ui = arg;
	struct winsize	 ws;

	(void)signo;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	ui_relayout(ui);
	ui_drain_keys(ui);	/* a KEY_RESIZE curses may have queued */
}

/* --- setup ------------------------------------------------------------- */

static int
ui_locale_is_utf8(void)
{
	const char	*cs = nl_langinfo(CODESET);

	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0);
}

static void
ui_add_panes(struct ui *ui, const struct tb_opts *opts,
    struct ui_models *models)
{
	struct pane	*p;
	size_t		 i;

	for (i = 0; i < UI_NPANE_TABLE && ui->npanes < UI_MAX_PANES; i++) {
		if (!(opts->panes & TB_PANE_AVAILABLE & ui_pane_table[i]->bit))
			continue;
		p = &ui->panes[ui->npanes];
		memset(p, 0, sizeof(*p));
		p->ops = ui_pane_table[i];
		if (p->ops->attach(p, models) == -1)
			continue;
		p->drawn_gen = (uint64_t)-1;
		if (p->ops->tick_ms > 0 && (ui->tick_ms == 0 ||
		    p->ops->tick_ms < ui->tick_ms))
			ui->tick_ms = p->ops->tick_ms;
		ui->npanes++;
	}
	if (ui->npanes > 0)
		ui->panes[0].is_focused = 1;
}

static void
ui_start_curses(struct ui *ui)
{
	const char	*term = getenv("TERM");
	char		 buf[TB_SAN_BOUND(64)];

	setlocale(LC_ALL, "");
	ui_has_saved_tio = tcgetattr(STDIN_FILENO, &ui_saved_tio) == 0;
	if ((ui->screen = newterm(NULL, stdout, stdin)) == NULL) {
		tb_sanitize(buf, sizeof(buf), term, term ? strlen(term) : 0,
		    64, 0);
		tb_fatalx("cannot use terminal type \"%s\": set TERM "
		    "(e.g. TERM=xterm)", buf);
	}
	ui_is_active = 1;
	tb_cleanup_add(ui_cleanup, NULL);
	ui_crash_install();
	cbreak();
	noecho();
	nonl();
	set_escdelay(UI_ESC_DELAY_MS);
	curs_set(0);
	theme_init(&ui->theme, !theme_no_color_env(), ui_locale_is_utf8());
}

struct ui *
ui_new(struct tb_loop *loop, const struct tb_opts *opts,
    struct ui_models *models)
{
	struct ui	*ui;

	ui = xcalloc(1, sizeof(*ui));
	ui->loop = loop;
	ui->opts = opts;
	ui->models = models;
	pane_names_set_numeric(opts->is_numeric);
	ui_start_curses(ui);
	ui_add_panes(ui, opts, models);
	if (tb_loop_signal(loop, SIGWINCH, ui_on_winch, ui) == -1)
		tb_fatal("signalfd SIGWINCH");
	if (tb_loop_io(loop, STDIN_FILENO, POLLIN, ui_on_input, ui) == -1)
		tb_fatalx("cannot watch the terminal for keys");
	tb_loop_before_sleep(loop, ui_on_before_sleep, ui);
	if (ui->tick_ms > 0)
		ui_on_tick(ui);
	ui_relayout(ui);
	return ui;
}

void
ui_free(struct ui *ui)
{
	if (ui == NULL)
		return;
	if (ui->drain_timer != 0)
		tb_loop_timer_cancel(ui->loop, ui->drain_timer);
	if (ui->tick_timer != 0)
		tb_loop_timer_cancel(ui->loop, ui->tick_timer);
	if (ui->journey_timer != 0)
		tb_loop_timer_cancel(ui->loop, ui->journey_timer);
	if (ui->frame_timer != 0)
		tb_loop_timer_cancel(ui->loop, ui->frame_timer);
	tb_loop_io_del(ui->loop, STDIN_FILENO);
	ui_del_windows(ui);
	ui_cleanup(NULL);
	if (ui->screen != NULL)
		delscreen(ui->screen);
	free(ui);
}
