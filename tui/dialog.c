/* dialog.c: modal confirmation and input boxes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "keys.h"
#include "prompt.h"
#include "text.h"
#include "../core/xmalloc.h"

#define DIALOG_MAX_LINES 64

struct dline {
	enum role	 role;
	char		*text;
};

struct dialog {
	char		 title[96];
	struct dline	 lines[DIALOG_MAX_LINES];
	int		 nlines;
	char		*labels[DIALOG_MAX_FIELDS];
	struct prompt	 fields[DIALOG_MAX_FIELDS];
	int		 nfields;
	int		 cur;
	char		*expected;	/* typed confirmation */
	int		 typed_field;
	char		 hint[128];
	char		 error[160];
	void		*data;
};

struct dialog *
dialog_new(const char *title)
{
	struct dialog	*d = xcalloc(1, sizeof *d);

	snprintf(d->title, sizeof d->title, "%s", title);
	d->typed_field = -1;
	return (d);
}

void
dialog_free(struct dialog *d)
{
	int	i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nlines; i++)
		free(d->lines[i].text);
	for (i = 0; i < d->nfields; i++) {
		free(d->labels[i]);
		prompt_free(&d->fields[i]);
	}
	free(d->expected);
	free(d);
}

void
dialog_line(struct dialog *d, enum role role, const char *fmt, ...)
{
	va_list	ap;
	char	*s;

	if (d->nlines == DIALOG_MAX_LINES)
		return;
	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	d->lines[d->nlines].role = role;
	d->lines[d->nlines++].text = s;
}

int
dialog_field(struct dialog *d, const char *label, const char *initial)
{
	int	i = d->nfields;

	if (i == DIALOG_MAX_FIELDS)
		return (-1);
	d->labels[i] = xstrdup(label);
	prompt_open(&d->fields[i], "", initial);
	d->nfields++;
	return (i);
}

void
dialog_require_typed(struct dialog *d, const char *expected)
{
	char	label[160];

	free(d->expected);
	d->expected = xstrdup(expected);
	snprintf(label, sizeof label, "type %s to confirm", expected);
	d->typed_field = dialog_field(d, label, "");
	d->cur = d->typed_field;
}

void
dialog_hint(struct dialog *d, const char *hint)
{
	snprintf(d->hint, sizeof d->hint, "%s", hint);
}

const char *
dialog_value(const struct dialog *d, int field)
{
	if (field < 0 || field >= d->nfields)
		return (NULL);
	return (d->fields[field].buf);
}

void
dialog_error(struct dialog *d, const char *msg)
{
	snprintf(d->error, sizeof d->error, "%s", msg);
}

void
dialog_set_data(struct dialog *d, void *data)
{
	d->data = data;
}

void *
dialog_data(const struct dialog *d)
{
	return (d->data);
}

static enum dialog_result
dialog_submit(struct dialog *d)
{
	if (d->expected != NULL &&
	    strcmp(d->fields[d->typed_field].buf, d->expected) != 0) {
		snprintf(d->error, sizeof d->error, "type %s exactly to "
		    "confirm, or Esc to cancel", d->expected);
		return (DIALOG_OPEN);
	}
	return (DIALOG_CONFIRM);
}

enum dialog_result
dialog_key(struct dialog *d, int key)
{
	if (key == KEYC_ESC || key == KEYC_CTRL('c'))
		return (DIALOG_CANCEL);
	if (d->nfields == 0) {
		if (key == 'y' || key == 'Y')
			return (DIALOG_CONFIRM);
		if (key == 'n' || key == 'N' || key == 'q')
			return (DIALOG_CANCEL);
		return (DIALOG_OPEN);
	}
	d->error[0] = '\0';
	switch (key) {
	case KEYC_TAB:
	case KEYC_DOWN:
		d->cur = (d->cur + 1) % d->nfields;
		return (DIALOG_OPEN);
	case KEYC_BTAB:
	case KEYC_UP:
		d->cur = (d->cur + d->nfields - 1) % d->nfields;
		return (DIALOG_OPEN);
	case KEYC_ENTER:
		if (d->cur < d->nfields - 1) {
			d->cur++;
			return (DIALOG_OPEN);
		}
		return (dialog_submit(d));
	}
	prompt_key(&d->fields[d->cur], key);
	return (DIALOG_OPEN);
}

static void
dialog_draw_fields(struct dialog *d, const struct tui_box *in, int y)
{
	int	i, lw = 0, w;

	for (i = 0; i < d->nfields; i++)
		if ((w = text_width(d->labels[i])) > lw)
			lw = w;
	if (lw > in->w / 2)
		lw = in->w / 2;
	for (i = 0; i < d->nfields; i++, y++) {
		struct tui_box	fb = { in->y + y, in->x + lw + 2, 1,
				    in->w - lw - 2, 0 };

		screen_text(in, y, 0, i == d->cur ? ROLE_ACCENT : ROLE_NORMAL,
		    d->labels[i]);
		if (i == d->cur)
			prompt_draw(&d->fields[i], &fb, 0);
		else {
			screen_fill_row(&fb, 0, ROLE_NORMAL);
			screen_text(&fb, 0, 0, ROLE_NORMAL, d->fields[i].buf);
		}
	}
}

void
dialog_draw(struct dialog *d, int rows, int cols)
{
	int		 w = cols > 100 ? 92 : cols - 6;
	int		 h = d->nlines + d->nfields + 6;
	struct tui_box	 b, in;
	const char	*hint;
	int		 i, y = 0;

	if (h > rows - 2)
		h = rows - 2;
	b = (struct tui_box){ (rows - h) / 2, (cols - w) / 2, h, w, 0 };
	in = (struct tui_box){ b.y + 1, b.x + 2, b.h - 2, b.w - 4, 0 };
	screen_erase(&b);
	screen_frame(&b, ROLE_FOCUS, d->title, NULL);
	for (i = 0; i < d->nlines && y < in.h - 3 - d->nfields; i++, y++)
		screen_text(&in, y, 0, d->lines[i].role, d->lines[i].text);
	if (i < d->nlines)
		screen_textf(&in, y++, 0, ROLE_MUTED, "... %d more lines",
		    d->nlines - i);
	y++;
	if (d->nfields > 0)
		dialog_draw_fields(d, &in, y);
	else
		screen_cursor(-1, -1);
	if (d->error[0] != '\0')
		screen_text(&in, in.h - 2, 0, ROLE_ERROR, d->error);
	hint = d->hint[0] ? d->hint : d->nfields ? "Enter submit  Tab next "
	    "field  Esc cancel" : "y confirm  n/Esc cancel";
	screen_text(&in, in.h - 1, 0, ROLE_MUTED, hint);
}
