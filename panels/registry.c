/* registry.c: the panels, in display order (the 1-6 keys). */
#include <stddef.h>

#include "panel.h"

extern const struct panel_class pods_panel;
extern const struct panel_class replication_panel;
extern const struct panel_class outbox_panel;
extern const struct panel_class circuits_panel;
extern const struct panel_class alerts_panel;
extern const struct panel_class redis_panel;

const struct panel_class *const panel_registry[] = {
	&pods_panel,
	&replication_panel,
	&outbox_panel,
	&circuits_panel,
	&alerts_panel,
	&redis_panel,
	NULL
};
