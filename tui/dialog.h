/* dialog.h: a modal box in the middle of the screen that says exactly what
 * will happen and asks for a decision.
 *
 *   no fields:        y confirms; n or Esc cancels (Enter does nothing, so
 *                     a stray Enter never confirms)
 *   with fields:      Tab / S-Tab move, Enter on the last field submits
 *   typed confirm:    Enter confirms only when the typed text equals the
 *                     expected word (danger: high)
 * Esc always cancels. */
#ifndef SITREP_DIALOG_H
#define SITREP_DIALOG_H

#include "role.h"
#include "screen.h"

enum dialog_result { DIALOG_OPEN, DIALOG_CONFIRM, DIALOG_CANCEL };

#define DIALOG_MAX_FIELDS	8

struct dialog;

struct dialog	*dialog_new(const char *title);
void		 dialog_free(struct dialog *);
/* A line of the body (what will happen). */
void		 dialog_line(struct dialog *, enum role, const char *, ...)
		     __attribute__((format(printf, 3, 4)));
/* An input field; returns its index. */
int		 dialog_field(struct dialog *, const char *label,
		     const char *initial);
/* Confirm only when the operator types expected (into a field added for
 * it). */
void		 dialog_require_typed(struct dialog *, const char *expected);
/* The key hint line ("y create silence  Esc cancel"). */
void		 dialog_hint(struct dialog *, const char *);
const char	*dialog_value(const struct dialog *, int field);
/* Show a validation message and keep the dialog open. */
void		 dialog_error(struct dialog *, const char *);
enum dialog_result dialog_key(struct dialog *, int key);
void		 dialog_draw(struct dialog *, int rows, int cols);
/* Opaque data the owner hangs on the dialog. */
void		 dialog_set_data(struct dialog *, void *);
void		*dialog_data(const struct dialog *);

#endif
