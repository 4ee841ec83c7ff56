/* role.c: names of the colour roles, as written in theme files. */
#include <string.h>

#include "role.h"

static const char *const role_names[] = {
	[ROLE_NORMAL] =		"normal",
	[ROLE_OK] =		"ok",
	[ROLE_WARN] =		"warn",
	[ROLE_CRIT] =		"crit",
	[ROLE_MUTED] =		"muted",
	[ROLE_ACCENT] =		"accent",
	[ROLE_BORDER] =		"border",
	[ROLE_FOCUS] =		"focus",
	[ROLE_TITLE] =		"title",
	[ROLE_COLHEAD] =	"colhead",
	[ROLE_SELECTION] =	"selection",
	[ROLE_HEADER] =		"header",
	[ROLE_PRODUCTION] =	"production",
	[ROLE_STATUS] =		"status",
	[ROLE_ERROR] =		"error",
	[ROLE_DEMO] =		"demo",
};

_Static_assert(sizeof role_names / sizeof role_names[0] == ROLE__COUNT,
    "role_names must name every role");

const char *
role_name(enum role r)
{
	if ((unsigned)r >= ROLE__COUNT)
		return (NULL);
	return (role_names[r]);
}

int
role_lookup(const char *name)
{
	int	i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < ROLE__COUNT; i++) {
		if (strcmp(role_names[i], name) == 0)
			return (i);
	}
	return (-1);
}
