/* The help screen: the keys, then each shown pane's help in plain words. */
#ifndef TUBES_VIEW_HELP_H
#define TUBES_VIEW_HELP_H

#include <curses.h>

struct pane_ops;
struct theme;

/*
 * Draw the help into win (boxed, full size) from line *scroll on; clamps
 * *scroll to the text.  Returns the number of wrapped lines.
 */
int	help_draw(WINDOW *, const struct theme *,
	    const struct pane_ops *const *ops, int nops, int *scroll);

#endif
