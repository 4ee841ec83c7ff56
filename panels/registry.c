/* registry.c: the panels, in display order (the 1-5 keys). */
#include <stddef.h>

#include "panel.h"

extern const struct panel_class pods_panel;

const struct panel_class *const panel_registry[] = {
	&pods_panel,
	NULL
};
