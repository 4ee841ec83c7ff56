/* fuzz_theme.c: libFuzzer target for the theme reader (theme.h): a theme
 * file (YAML: name, roles, colours by name, number or #rrggbb, attributes)
 * and the colour names alone, then each colour downgraded to 16 and 8.
 *
 *   make fuzz-build && build/fuzz/fuzz_theme -dict=tests/fuzz/theme.dict \
 *       CORPUS_DIR themes/
 *
 * Every input loads or fails with "NAME:LINE: what" and the built-in
 * theme in place; nothing stays allocated; what loads holds colours the
 * screen can use (below). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_color(int c)
{
	int	n;

	if (c < THEME_COLOR_DEFAULT || c > 255)
		abort();
	for (n = 8; n <= 16; n += 8)
		if (c != THEME_COLOR_DEFAULT && (theme_downgrade(c, n) < 0 ||
		    theme_downgrade(c, n) >= n))
			abort();
}

static void
check_theme(const struct theme *t)
{
	int	i;

	if (memchr(t->name, '\0', sizeof t->name) == NULL)
		abort();
	for (i = 0; i < ROLE__COUNT; i++) {
		check_color(t->roles[i].fg);
		check_color(t->roles[i].bg);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme	 t, b;
	char		 err[256], *s;
	int		 c;

	memset(&t, 0, sizeof t);
	memset(&b, 0, sizeof b);
	err[0] = '\0';
	if (theme_load_buffer((const char *)data, size, "fuzz.yaml", &t, err,
	    sizeof err) != 0) {
		theme_builtin(&b);
		if (strncmp(err, "fuzz.yaml:", 10) != 0 ||
		    memcmp(&t, &b, sizeof t) != 0)
			abort();	/* says where; the built-in stays */
	}
	check_theme(&t);

	/* The bytes as one colour name. */
	if (size < 64) {
		s = malloc(size + 1);
		memcpy(s, data, size);
		s[size] = '\0';
		if ((c = theme_parse_color(s)) != -2)
			check_color(c);
		free(s);
	}
	return (0);
}
