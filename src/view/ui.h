/*
 * The TUI: panes tiled to fit, one focused.  Only src/view/ includes
 * <curses.h>.  The UI reads models through their const accessors and
 * redraws from the loop's before-sleep hook when a model's generation moved.
 */
#ifndef TUBES_VIEW_UI_H
#define TUBES_VIEW_UI_H

struct tb_loop;
struct tb_opts;
struct sockets;
struct dns;
struct trace;
struct capture;
struct fetch;
struct tb_target;

struct ui_models {
	struct sockets	*sockets;	/* NULL when the pane is off */
	struct dns	*dns;		/* NULL when the pane is off */
	struct trace	*trace;		/* NULL: no target (the pane says so) */
	const char	*trace_why;	/* no trace yet: "resolving x"; NULL */
	struct capture	*capture;	/* NULL: no capture (see capture_why) */
	const char	*capture_why;	/* why not, with the setcap line; NULL */
	/* The journey (the first TARGET): what journey_compute reads. */
	const struct tb_target *target;	/* NULL: no target */
	struct dns	*target_dns;	/* the engine that resolves it (the dns
					   pane's or the trace's), or NULL */
	long		 target_lookup;	/* its lookup there, -1: none */
	const char	*target_address;	/* once known, else NULL */
	struct fetch	*fetch;		/* --fetch, else NULL */
	const char	*fetch_why;	/* --fetch could not start: why */
	/* Trace another address (a DNS answer the user picked): the trace
	 * pane starts over there.  NULL: this run cannot. */
	void		(*retrace)(void *arg, const char *address);
	void		*retrace_arg;
};

/* Start curses and register with the loop; exits via tb_fatalx on error.
 * The UI stops the loop when the user quits.  The models struct is read
 * again while the UI runs (a trace starts once its target resolves), so
 * it must outlive the UI. */
struct ui	*ui_new(struct tb_loop *, const struct tb_opts *,
		    struct ui_models *);
void		 ui_free(struct ui *);	/* restores the terminal */

#endif
