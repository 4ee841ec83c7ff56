/* keys.h: key codes handed to panels, independent of curses.
 * Characters are their Unicode code points; special keys are above. */
#ifndef SITREP_KEYS_H
#define SITREP_KEYS_H

#define KEYC_BASE	0x200000
enum {
	KEYC_UP = KEYC_BASE,
	KEYC_DOWN,
	KEYC_LEFT,
	KEYC_RIGHT,
	KEYC_PPAGE,
	KEYC_NPAGE,
	KEYC_HOME,
	KEYC_END,
	KEYC_BTAB,
	KEYC_BACKSPACE,
	KEYC_DC,
	KEYC_F1,
	KEYC_RESIZE,
};
#define KEYC_ESC	27
#define KEYC_TAB	'\t'
#define KEYC_ENTER	'\n'
#define KEYC_CTRL(c)	((c) & 0x1f)

#endif
