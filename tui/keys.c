/* keys.c: key names for help and tests. */
#include <stdio.h>

#include "keys.h"

const char *
keyc_name(int k, char *buf, unsigned len)
{
	static const char *names[] = { "Up", "Down", "Left", "Right", "PgUp",
	    "PgDn", "Home", "End", "S-Tab", "BSpace", "Delete", "F1",
	    "Resize" };

	if (k >= KEYC_BASE && k <= KEYC_RESIZE)
		snprintf(buf, len, "%s", names[k - KEYC_BASE]);
	else if (k == KEYC_ESC)
		snprintf(buf, len, "Esc");
	else if (k == KEYC_TAB)
		snprintf(buf, len, "Tab");
	else if (k == KEYC_ENTER)
		snprintf(buf, len, "Enter");
	else if (k == ' ')
		snprintf(buf, len, "Space");
	else if (k > 0 && k < 32)
		snprintf(buf, len, "C-%c", k + 'a' - 1);
	else if (k < 128)
		snprintf(buf, len, "%c", k);
	else
		snprintf(buf, len, "U+%04X", (unsigned)k);
	return (buf);
}
