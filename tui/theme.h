/* theme.h: colour themes.  A theme maps each role (role.h) to a foreground,
 * a background and attributes, read from a YAML file (themes/NAME.yaml).  The
 * screen picks 256/16/8 colours or mono from the terminal (screen.h). */
#ifndef SITREP_THEME_H
#define SITREP_THEME_H

#include <stddef.h>

#include "role.h"

#define THEME_COLOR_DEFAULT	(-1)	/* the terminal's own colour */

#define TATTR_BOLD	0x01
#define TATTR_DIM	0x02
#define TATTR_REVERSE	0x04
#define TATTR_UNDERLINE	0x08
#define TATTR_ITALIC	0x10

struct role_style {
	int		 fg;		/* 0-255 or THEME_COLOR_DEFAULT */
	int		 bg;
	unsigned	 attrs;		/* TATTR_* with colour */
	unsigned	 mono;		/* TATTR_* without colour */
};

struct theme {
	char			 name[32];
	struct role_style	 roles[ROLE__COUNT];
};

/* The built-in dark theme; also the fallback when a file is broken. */
void	 theme_builtin(struct theme *);
/* Load a theme file over the built-in defaults (roles a file leaves out
 * keep the default).  Returns 0, or -1 with "FILE:LINE: what" in err and
 * *t left as the built-in theme. */
int	 theme_load_file(const char *path, struct theme *t, char *err,
	    size_t errlen);
int	 theme_load_buffer(const char *buf, size_t len, const char *name,
	    struct theme *t, char *err, size_t errlen);
/* Colour by name: "red", "bright-blue", "default", "208", "#ff8700";
 * -2 when unknown. */
int	 theme_parse_color(const char *);
/* Nearest of the first n (8 or 16) ANSI colours for a 256-colour index. */
int	 theme_downgrade(int color, int n);

#endif
