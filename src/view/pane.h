/*
 * A pane: one model shown in one tile.  The UI owns the window, focus,
 * scrolling and the filter; the pane's ops draw its model inside the
 * border and say how many (filtered) rows it has so the UI can scroll.
 * New panes (dns, trace, http) are one more const struct pane_ops and one
 * more line in ui.c's table.
 */
#ifndef TUBES_VIEW_PANE_H
#define TUBES_VIEW_PANE_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "view/layout.h"

struct theme;
struct ui_models;

#define PANE_FILTER_MAX	64
#define PANE_MSG_MAX	192

struct pane {
	const struct pane_ops	*ops;
	void			*model;		/* borrowed from ui_models */
	WINDOW			*win;		/* the whole tile, border too */
	struct layout_rect	 rect;		/* the tile on the screen */
	int			 is_focused;
	size_t			 scroll;	/* first table row shown */
	int			 body_h;	/* table rows; set by draw */
	char			 filter[PANE_FILTER_MAX];	/* "" = all */
	uint64_t		 drawn_gen;	/* model generation on screen */
	/* A pane's word after a key ("tracing 192.0.2.1", "cannot trace
	 * from here: ..."): the UI moves it to the status line. */
	char			 msg[PANE_MSG_MAX];
	int			 is_msg_info;	/* not an error */
};

struct pane_ops {
	const char	*name;
	int		 bit;		/* TB_PANE_* */
	/* Help paragraphs, NULL-terminated: "# " heading, "- " bullet. */
	const char *const *help;
	/* Take the model from m; -1 when this pane's model is off. */
	int		(*attach)(struct pane *, const struct ui_models *m);
	/* Changes whenever what the pane would draw changes. */
	uint64_t	(*generation)(const struct pane *);
	/* Draw inside area (the tile minus its border); sets body_h. */
	void		(*draw)(struct pane *, const struct layout_rect *area,
			    const struct theme *);
	/* Rows that pass the filter, for scrolling. */
	size_t		(*nrows)(const struct pane *);
	/* A key the UI did not use; 1 if the pane used it. May be NULL. */
	int		(*key)(struct pane *, int key);
	/* A key before the UI's own bindings (Enter on a selected row);
	 * 1 if the pane used it, 0 lets the UI have it.  May be NULL. */
	int		(*key_first)(struct pane *, int key);

	/* Optional, NULL or 0 when unused: */
	/* Words after the name in the title ("requery on"). */
	void		(*title)(const struct pane *, char *buf, size_t len);
	/* Keys for the status line while focused ("a:lookup"). */
	const char	*keys_hint;
	/*
	 * A line prompt: prompt_key opens "prompt_label" on the status line;
	 * Enter hands the typed line to prompt(), which returns 0, or -1
	 * with err (shown on the status line) filled.
	 */
	int		 prompt_key;
	const char	*prompt_label;
	int		(*prompt)(struct pane *, const char *line, char *err,
			    size_t errlen);
	/* Wake the UI this often (ms) so cells derived from the clock (a
	 * TTL counting down) move; generation() says when they did. */
	unsigned	 tick_ms;
};

extern const struct pane_ops	pane_dns;
extern const struct pane_ops	pane_trace;
extern const struct pane_ops	pane_http;
extern const struct pane_ops	pane_sockets;

/*
 * The name DNS gave an address ("192.0.2.1", "[2001:db8::1]"), from the
 * DNS pane's engine or the target's, or NULL (always with -n, set by the
 * UI: numeric means addresses).  Raw: sanitize to show.
 */
void		 pane_names_set_numeric(int is_numeric);
const char	*pane_name_of(const struct ui_models *, const char *address);
const char	*pane_name_of_bytes(const struct ui_models *, int family,
		    const uint8_t *addr);
/* Moves when a name may have been learned (the engines' generations). */
uint64_t	 pane_names_generation(const struct ui_models *);
/* Start the trace pane over towards address (raw; shown as shown, which
 * the caller sanitized) and say so in p->msg, or why not. */
void		 pane_trace_to(struct pane *, const struct ui_models *,
		    const char *address, const char *shown);

/*
 * The journey view (pane_journey.c): one screen, the timeline of the
 * target's request.  Not a tile: the UI shows it over the panes.
 */
void		 journey_view_draw(WINDOW *, const struct theme *,
		    const struct ui_models *);
/* Changes whenever the view would draw something else. */
uint64_t	 journey_view_generation(const struct ui_models *);

#endif
