/*
 * The journey view: one screen with the timeline of the target's request,
 * soup to nuts, as journey_compute() sees it: the DNS lookup, the TCP
 * connect, the wait for the first response byte, the transfer, the close
 * and the TIME_WAIT the socket is left in.  Each step is a bar placed
 * after the one before (a waterfall) and scaled to the whole, with its
 * number always written beside it, so a step too short for one cell is
 * still read.  Steps not seen yet say so.
 *
 * Not a pane: the UI draws it over the tiles in the help's window.  It
 * reads the models only when it draws; its generation folds in theirs
 * and, while a TIME_WAIT counts down, the second.
 */
#include "config.h"

#include "view/pane.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "loop.h"
#include "opts.h"
#include "sanitize.h"
#include "model/capture.h"
#include "model/dns.h"
#include "model/fetch.h"
#include "model/journey.h"
#include "model/sockets.h"
#include "view/theme.h"
#include "view/ui.h"
#include "view/widgets.h"

#define JV_LABEL_W	12	/* "first byte" and a blank */
#define JV_NUM_W	16	/* "not known yet" and a blank */
#define JV_HOST_MAX	255

enum jv_step { JV_DNS, JV_CONNECT, JV_FIRST, JV_TRANSFER, JV_CLOSE, JV_NSTEPS };

static const char *const jv_step_names[JV_NSTEPS] = {
	"DNS lookup", "connect", "first byte", "transfer", "close",
};

/* What each step means, shown under the bars when there is room. */
static const char *const jv_step_words[JV_NSTEPS] = {
	"the name to an address",
	"TCP handshake: SYN to established",
	"request sent to first response byte (server time + a round trip)",
	"first to last response byte",
	"last byte to the close, from this side",
};

/* Remembered from the last draw: the countdown makes the clock matter. */
static int	jv_is_counting;

struct jv_frame {
	WINDOW			*win;
	const struct theme	*t;
	int			 x, w, y, ybot;
};

static void
jv_line(struct jv_frame *f, attr_t a, const char *s)
{
	if (f->y < f->ybot)
		widgets_put(f->win, f->y, f->x, f->w, a, s);
	f->y++;
}

/* Label, then value: one line. */
static void
jv_pair(struct jv_frame *f, const char *label, attr_t a, const char *value)
{
	if (f->y >= f->ybot) {
		f->y++;
		return;
	}
	widgets_put(f->win, f->y, f->x, f->w, theme_attr(f->t, THEME_DIM),
	    label);
	if (f->w > JV_LABEL_W)
		widgets_put(f->win, f->y, f->x + JV_LABEL_W, f->w - JV_LABEL_W,
		    a, value);
	f->y++;
}

static void
jv_wrap(struct jv_frame *f, attr_t a, const char *s)
{
	char		 line[512];
	const char	*next;
	size_t		 len;

	while (*s != '\0' && f->y < f->ybot) {
		next = widgets_wrap(s, f->w, &len);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, s, len);
		line[len] = '\0';
		jv_line(f, a, line);
		if (next == s)
			break;	/* no progress: never spin */
		s = next;
	}
}

static void
jv_src(struct journey_src *src, const struct ui_models *m)
{
	memset(src, 0, sizeof(*src));
	src->lookup = -1;
	if (m == NULL)
		return;
	src->target = m->target;
	src->dns = m->target_dns;
	src->lookup = m->target_lookup;
	src->address = m->target_address;
	src->fetch = m->fetch;
	src->capture = m->capture;
	src->sockets = m->sockets;
}

uint64_t
journey_view_generation(const struct ui_models *m)
{
	uint64_t	 g = 0xcbf29ce484222325ULL;
	const char	*s;

	if (m == NULL || m->target == NULL)
		return 1;
	/* FNV-1a over the generations and the address. */
#define JV_MIX(v)	(g = (g ^ (uint64_t)(v)) * 0x100000001b3ULL)
	JV_MIX(m->target_dns != NULL ? dns_generation(m->target_dns) : 0);
	JV_MIX(m->target_lookup);
	JV_MIX(m->fetch != NULL ? fetch_generation(m->fetch) : 0);
	JV_MIX(m->capture != NULL ? capture_generation(m->capture) : 0);
	JV_MIX(m->sockets != NULL && sockets_summary(m->sockets) != NULL ?
	    sockets_summary(m->sockets)->generation : 0);
	for (s = m->target_address; s != NULL && *s != '\0'; s++)
		JV_MIX((unsigned char)*s);
	if (jv_is_counting)
		JV_MIX(tb_now_ms() / 1000);
#undef JV_MIX
	return g | 2;	/* never the 1 of "no target" */
}

/* --- the steps ----------------------------------------------------------- */

static double
jv_step_ms(const struct journey *j, int i)
{
	switch (i) {
	case JV_DNS:
		return j->dns_ms;
	case JV_CONNECT:
		return j->connect_ms;
	case JV_FIRST:
		return j->first_byte_ms;
	case JV_TRANSFER:
		return j->transfer_ms;
	case JV_CLOSE:
		return j->close_ms;
	}
	return -1;
}

/* Why a step has no number, in a few words. */
static const char *
jv_step_unknown(const struct journey *j, const struct ui_models *m, int i)
{
	if (i == JV_DNS && (m->target_lookup < 0 || m->target_dns == NULL))
		return "no lookup";
	if (i == JV_CONNECT && j->source != NULL &&
	    strcmp(j->source, "capture") == 0)
		return "not timed";
	if (i == JV_CLOSE && j->source != NULL && j->first_byte_ms >= 0 &&
	    j->transfer_ms >= 0)
		return "still open";
	return "not known yet";
}

static void
jv_draw_bar(struct jv_frame *f, int y, int x, int w, double from_ms,
    double ms, double scale_ms)
{
	int	bx, bw, i;
	attr_t	a = theme_attr(f->t, THEME_BORDER_FOCUS) | A_BOLD;

	if (w < 4 || scale_ms <= 0 || ms < 0)
		return;
	bx = (int)(from_ms / scale_ms * w);
	bw = (int)(ms / scale_ms * w + 0.5);
	if (bw < 1)
		bw = 1;	/* a step that happened shows, however short */
	if (bx >= w)
		bx = w - 1;
	if (bx + bw > w)
		bw = w - bx;
	for (i = 0; i < bw; i++)
		widgets_put(f->win, y, x + bx + i, 1, a, f->t->is_utf8 ?
		    "\xe2\x96\x88" : "#");
}

static void
jv_draw_steps(struct jv_frame *f, const struct journey *j,
    const struct ui_models *m)
{
	char	num[64];
	double	ms, from = 0, scale = 0;
	int	i, bx = f->x + JV_LABEL_W + JV_NUM_W, bw = f->x + f->w - bx;

	for (i = 0; i < JV_NSTEPS; i++)
		if ((ms = jv_step_ms(j, i)) > 0)
			scale += ms;
	if (f->y < f->ybot) {
		widgets_put(f->win, f->y, f->x, f->w, theme_attr(f->t,
		    THEME_HEADER), "step");
		widgets_put(f->win, f->y, f->x + JV_LABEL_W, JV_NUM_W,
		    theme_attr(f->t, THEME_HEADER), "ms");
		if (bw > 10) {
			widgets_fmt_ms(num, sizeof(num), scale);
			widgets_printf(f->win, f->y, bx, bw, theme_attr(f->t,
			    THEME_HEADER), "timeline, %s ms across", scale >
			    0 ? num : "-");
		}
	}
	f->y++;
	for (i = 0; i < JV_NSTEPS && f->y < f->ybot; i++, f->y++) {
		ms = jv_step_ms(j, i);
		widgets_put(f->win, f->y, f->x, JV_LABEL_W, theme_attr(f->t,
		    THEME_BOLD), jv_step_names[i]);
		if (ms < 0) {
			widgets_put(f->win, f->y, f->x + JV_LABEL_W, JV_NUM_W,
			    theme_attr(f->t, THEME_DIM),
			    jv_step_unknown(j, m, i));
			continue;
		}
		widgets_fmt_ms(num, sizeof(num), ms);
		widgets_printf(f->win, f->y, f->x + JV_LABEL_W, JV_NUM_W,
		    theme_attr(f->t, THEME_NORMAL), "%s ms", num);
		jv_draw_bar(f, f->y, bx, bw, from, ms, scale);
		from += ms;
	}
}

/* --- the other lines ----------------------------------------------------- */

static void
jv_draw_target(struct jv_frame *f, const struct journey *j,
    const struct ui_models *m)
{
	char		 in[TB_SAN_BOUND(JV_HOST_MAX)];
	char		 host[TB_SAN_BOUND(JV_HOST_MAX)];
	char		 addr[TB_SAN_BOUND(64)];
	char		 line[TB_SAN_BOUND(JV_HOST_MAX) * 2 + 64];
	const char	*name;

	tb_sanitize(in, sizeof(in), m->target->input != NULL ?
	    m->target->input : "", m->target->input != NULL ?
	    strnlen(m->target->input, JV_HOST_MAX + 1) : 0, JV_HOST_MAX, 0);
	tb_sanitize(host, sizeof(host), j->host, strnlen(j->host,
	    sizeof(j->host)), JV_HOST_MAX, 0);
	snprintf(line, sizeof(line), "%s  (host %s)", in, host);
	jv_pair(f, "target", theme_attr(f->t, THEME_BOLD), line);
	if (j->address[0] == '\0') {
		jv_pair(f, "address", theme_attr(f->t, THEME_DIM),
		    m->trace_why != NULL ? "not known yet (resolving)" :
		    "not known yet");
		return;
	}
	tb_sanitize(addr, sizeof(addr), j->address, strnlen(j->address,
	    sizeof(j->address)), 0, 0);
	if (j->port > 0 && strchr(addr, ':') != NULL)
		snprintf(line, sizeof(line), "[%s]:%d", addr, j->port);
	else if (j->port > 0)
		snprintf(line, sizeof(line), "%s:%d", addr, j->port);
	else
		snprintf(line, sizeof(line), "%s", addr);
	if ((name = pane_name_of(m, j->address)) != NULL &&
	    strcmp(name, j->host) != 0) {
		tb_sanitize_escaped(host, sizeof(host), name, JV_HOST_MAX);
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
		    "  (DNS: %s)", host);
	}
	jv_pair(f, "address", theme_attr(f->t, THEME_NORMAL), line);
}

static void
jv_draw_source(struct jv_frame *f, const struct journey *j,
    const struct ui_models *m)
{
	const struct fetch_stats	*st;
	char				 line[TB_SAN_BOUND(160)];

	if (j->source == NULL) {
		jv_pair(f, "request", theme_attr(f->t, THEME_DIM), m->fetch !=
		    NULL ? "not made yet" : "none seen yet: make one (curl "
		    "the URL), or start tubes with --fetch URL");
		if (m->fetch == NULL && m->fetch_why != NULL) {
			tb_sanitize(line, sizeof(line), m->fetch_why,
			    strnlen(m->fetch_why, 160), 160, 0);
			jv_pair(f, "error", theme_attr(f->t, THEME_CRIT), line);
		}
		return;
	}
	if (j->status > 0)
		snprintf(line, sizeof(line), "from %s, HTTP status %d",
		    strcmp(j->source, "fetch") == 0 ? "tubes' own request "
		    "(--fetch)" : "the capture", j->status);
	else
		snprintf(line, sizeof(line), "from %s, no HTTP status%s",
		    strcmp(j->source, "fetch") == 0 ? "tubes' own request "
		    "(--fetch)" : "the capture", m->target->is_https ?
		    " (HTTPS: encrypted)" : " yet");
	jv_pair(f, "request", theme_attr(f->t, THEME_NORMAL), line);
	if (m->fetch != NULL && (st = fetch_stats(m->fetch)) != NULL) {
		snprintf(line, sizeof(line), "%ld started, %ld done, %ld "
		    "failed; connections %ld opened, %ld reused", st->started,
		    st->done, st->failed, st->conns_opened, st->conns_reused);
		jv_pair(f, "fetch", theme_attr(f->t, st->failed > 0 ?
		    THEME_WARN : THEME_NORMAL), line);
	}
	if (m->fetch != NULL && fetch_error(m->fetch) != NULL) {
		tb_sanitize(line, sizeof(line), fetch_error(m->fetch),
		    strnlen(fetch_error(m->fetch), 160), 160, 0);
		jv_pair(f, "error", theme_attr(f->t, THEME_CRIT), line);
	}
}

static void
jv_draw_total(struct jv_frame *f, const struct journey *j)
{
	char	num[32], line[96];

	if (j->total_ms < 0) {
		jv_pair(f, "total", theme_attr(f->t, THEME_DIM),
		    "not known yet");
		return;
	}
	widgets_fmt_ms(num, sizeof(num), j->total_ms);
	snprintf(line, sizeof(line), "%s ms%s", num, j->is_complete ? "" :
	    " (the steps known)");
	jv_pair(f, "total", theme_attr(f->t, THEME_BOLD), line);
}

/* The socket the request left: its TIME_WAIT counting down. */
static void
jv_draw_time_wait(struct jv_frame *f, const struct journey *j)
{
	char	line[160];
	int	bx = f->x + JV_LABEL_W + JV_NUM_W, bw = f->x + f->w - bx;
	int	i, n;
	long	left = j->time_wait_left_ms;

	jv_is_counting = left > 0;
	if (left < 0) {
		jv_pair(f, "TIME_WAIT", theme_attr(f->t, THEME_DIM),
		    j->source != NULL && strcmp(j->source, "fetch") == 0 ?
		    "not yet: the request's socket is still open" :
		    "not known (tubes did not close this socket: --fetch "
		    "does)");
	} else if (left == 0) {
		jv_pair(f, "TIME_WAIT", theme_attr(f->t, THEME_NORMAL),
		    "over: the kernel has freed the socket and its port");
	} else {
		snprintf(line, sizeof(line), "%ld s left of %d", (left + 999) /
		    1000, JOURNEY_TIME_WAIT_MS / 1000);
		if (f->y < f->ybot) {
			widgets_put(f->win, f->y, f->x, JV_LABEL_W,
			    theme_attr(f->t, THEME_DIM), "TIME_WAIT");
			widgets_put(f->win, f->y, f->x + JV_LABEL_W, JV_NUM_W,
			    theme_attr(f->t, THEME_WARN), line);
			n = bw > 4 ? (int)((double)left / JOURNEY_TIME_WAIT_MS *
			    bw + 0.5) : 0;
			for (i = 0; i < n && i < bw; i++)
				widgets_put(f->win, f->y, bx + i, 1,
				    theme_attr(f->t, THEME_WARN),
				    f->t->is_utf8 ? "\xe2\x96\x91" : "-");
		}
		f->y++;
	}
	if (j->time_wait_now >= 0) {
		snprintf(line, sizeof(line), "%ld socket%s to the target in "
		    "TIME_WAIT now (sockets pane)", j->time_wait_now,
		    j->time_wait_now == 1 ? "" : "s");
		jv_pair(f, "", theme_attr(f->t, j->time_wait_now > 1000 ?
		    THEME_WARN : THEME_NORMAL), line);
	}
}

/* The UI opens the view only with a target; this is the fallback. */
static void
jv_draw_no_target(struct jv_frame *f)
{
	jv_line(f, theme_attr(f->t, THEME_BOLD), "No target: nothing to "
	    "follow.");
	jv_wrap(f, theme_attr(f->t, THEME_NORMAL), "Give tubes one: tubes "
	    "http://HOST:PORT/PATH watches the requests made to it, tubes "
	    "--fetch URL makes one itself.");
}

void
journey_view_draw(WINDOW *win, const struct theme *t,
    const struct ui_models *m)
{
	struct journey_src	src;
	struct journey		j;
	struct jv_frame		f;
	int			h, w, i;

	getmaxyx(win, h, w);
	werase(win);
	widgets_box(win, t, "journey: j, q or Esc goes back", NULL, 1);
	memset(&f, 0, sizeof(f));
	f.win = win;
	f.t = t;
	f.x = 2;
	f.w = w - 4;
	f.y = 1;
	f.ybot = h - 1;
	jv_is_counting = 0;
	if (f.w < 20 || f.ybot <= f.y)
		return;
	if (m == NULL || m->target == NULL) {
		jv_draw_no_target(&f);
		return;
	}
	jv_src(&src, m);
	journey_compute(&j, &src, tb_now_us());
	jv_draw_target(&f, &j, m);
	jv_draw_source(&f, &j, m);
	f.y++;
	jv_draw_steps(&f, &j, m);
	jv_draw_total(&f, &j);
	f.y++;
	jv_draw_time_wait(&f, &j);
	/* What the steps mean, while there is room. */
	if (f.ybot - f.y > JV_NSTEPS) {
		f.y++;
		for (i = 0; i < JV_NSTEPS; i++) {
			if (f.y >= f.ybot)
				break;
			widgets_put(win, f.y, f.x, JV_LABEL_W, theme_attr(t,
			    THEME_DIM), jv_step_names[i]);
			widgets_put(win, f.y++, f.x + JV_LABEL_W, f.w -
			    JV_LABEL_W, theme_attr(t, THEME_DIM),
			    jv_step_words[i]);
		}
	}
}
