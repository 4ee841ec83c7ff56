/* role.h: semantic colour roles.  Panels name roles, themes map them to
 * colours (theme.h), the screen turns them into curses attributes. */
#ifndef SITREP_ROLE_H
#define SITREP_ROLE_H

enum role {
	ROLE_NORMAL,		/* ordinary text */
	ROLE_OK,		/* healthy */
	ROLE_WARN,		/* degraded, needs a look */
	ROLE_CRIT,		/* broken, act now */
	ROLE_MUTED,		/* secondary text, stale data */
	ROLE_ACCENT,		/* highlights, keys in hints */
	ROLE_BORDER,		/* panel frames */
	ROLE_FOCUS,		/* the focused panel's frame and title */
	ROLE_TITLE,		/* panel titles */
	ROLE_COLHEAD,		/* table column headings */
	ROLE_SELECTION,		/* the selected row */
	ROLE_HEADER,		/* the top bar */
	ROLE_PRODUCTION,	/* the environment name when it is production */
	ROLE_STATUS,		/* the bottom bar */
	ROLE_ERROR,		/* error lines in panels and the status bar */
	ROLE_DEMO,		/* the DEMO badge */
	ROLE__COUNT
};

/* "ok", "warn", ... as used in theme files; NULL if out of range. */
const char	*role_name(enum role);
/* -1 if unknown. */
int		 role_lookup(const char *);

#endif
