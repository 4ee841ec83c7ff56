/* panel.c: what every panel shares: data refresh, frame, age, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel.h"
#include "util.h"
#include "xmalloc.h"

struct panel *
panel_new(const struct panel_class *cls)
{
	struct panel	*p = xcalloc(1, sizeof *p);

	p->cls = cls;
	cls->init(p);
	p->dirty = 1;
	return (p);
}

void
panel_free(struct panel *p)
{
	if (p == NULL)
		return;
	if (p->cls->free != NULL)
		p->cls->free(p);
	table_free(p->table);
	snapshot_unref(p->snap);
	free(p);
}

int
panel_refresh(struct panel *p, struct store *store)
{
	struct snapshot	*snap;
	uint64_t	 gen = store_generation(store, p->cls->kind);

	if (gen == p->generation)
		return (p->dirty);
	snap = store_get(store, p->cls->kind, &p->st);
	p->generation = p->st.generation;
	if (snap != NULL && snap != p->snap) {
		snapshot_unref(p->snap);
		p->snap = snap;
		p->cls->update(p, snap);
	} else
		snapshot_unref(snap);
	p->dirty = 1;
	return (1);
}

enum role
panel_rank_role(int rank)
{
	return (rank >= 2 ? ROLE_CRIT : rank == 1 ? ROLE_WARN : ROLE_OK);
}

void
panel_summary(struct panel *p, char *buf, size_t len, enum role *role)
{
	*role = ROLE_MUTED;
	buf[0] = '\0';
	if (p->snap == NULL)
		snprintf(buf, len, p->unconfigured ? "not configured" :
		    "no data yet");
	else if (p->cls->summary != NULL)
		p->cls->summary(p, buf, len, role);
	if (!p->st.ok && p->st.source[0] != '\0')
		*role = ROLE_ERROR;
}

/* "sim 2s ago", "STALE 40s, retry in 8s". */
static void
panel_age(const struct panel *p, int64_t now, char *buf, size_t len)
{
	char	age[16], retry[16];

	if (p->snap == NULL) {
		snprintf(buf, len, "%s", p->st.source[0] ? p->st.source :
		    "no source");
		return;
	}
	fmt_age(age, sizeof age, (now - p->snap->fetched_ms) / 1000);
	if (p->st.ok) {
		snprintf(buf, len, "%s %s ago", p->st.source, age);
		return;
	}
	fmt_age(retry, sizeof retry, (p->st.next_retry_ms - now + 999) / 1000);
	snprintf(buf, len, "STALE %s, retry %s", age, retry);
}

static void
panel_error_line(const struct panel *p, const struct tui_box *b, int y,
    int64_t now)
{
	char	retry[16];

	if (p->st.ok || p->st.source[0] == '\0')
		return;
	fmt_age(retry, sizeof retry, (p->st.next_retry_ms - now + 999) / 1000);
	screen_fill_row(b, y, ROLE_NORMAL);
	screen_textf(b, y, 0, ROLE_ERROR, "! %s: %s (retry in %s)",
	    p->st.source, p->st.error, retry);
}

static void
panel_empty(const struct panel *p, const struct tui_box *b)
{
	if (p->snap != NULL)
		return;
	if (p->unconfigured)
		screen_textf(b, b->h > 2 ? 1 : 0, 1, ROLE_MUTED, "no %s source "
		    "in this environment (docs/configuration.md)",
		    snap_kind_name(p->cls->kind));
	else if (p->st.source[0] == '\0')
		screen_text(b, b->h > 2 ? 1 : 0, 1, ROLE_MUTED,
		    "waiting for data...");
}

/* The summary between the title and the age, clipped to fit. */
static void
panel_draw_summary(const struct tui_box *b, int x, int right, enum role role,
    const char *sum)
{
	struct tui_box	sb = { b->y, b->x + x, 1, b->w - x - right - 1, 0 };

	if (sum[0] == '\0' || sb.w < 6)
		return;
	screen_textf(&sb, 0, 0, role, " %s ", sum);
}

static void
panel_draw_strip(struct panel *p, const struct tui_box *b, int number,
    int64_t now)
{
	char		 sum[96], age[64], title[160];
	enum role	 srole;
	struct tui_box	 body = { b->y + 1, b->x + 1, b->h - 1, b->w - 2,
			     !p->st.ok && p->snap != NULL };

	panel_summary(p, sum, sizeof sum, &srole);
	panel_age(p, now, age, sizeof age);
	screen_hline(b, 0, ROLE_BORDER);
	snprintf(title, sizeof title, " %d %s ", number, p->cls->title);
	screen_text(b, 0, 1, ROLE_TITLE, title);
	panel_draw_summary(b, 2 + (int)strlen(title), (int)strlen(age) + 3,
	    srole, sum);
	screen_textf(b, 0, b->w - (int)strlen(age) - 3, ROLE_MUTED, " %s ",
	    age);
	if (!p->st.ok && p->st.source[0] != '\0') {
		panel_error_line(p, &body, 0, now);
		body.y++;
		body.h--;
	}
	table_draw(p->table, &body, 0, 0);
	panel_empty(p, &body);
}

void
panel_draw(struct panel *p, const struct tui_box *b, int number, int focused,
    int strip, int64_t now)
{
	char		 sum[96], age[64], title[160];
	enum role	 srole;
	struct tui_box	 in = { b->y + 1, b->x + 1, b->h - 2, b->w - 2,
			     !p->st.ok && p->snap != NULL };
	const char	*f = table_filter(p->table);

	screen_erase(b);
	p->dirty = 0;
	if (strip) {
		panel_draw_strip(p, b, number, now);
		return;
	}
	panel_summary(p, sum, sizeof sum, &srole);
	panel_age(p, now, age, sizeof age);
	snprintf(title, sizeof title, "%d %s", number, p->cls->title);
	screen_frame(b, focused ? ROLE_FOCUS : ROLE_BORDER, title, age);
	panel_draw_summary(b, (int)strlen(title) + 5, (int)strlen(age) + 4,
	    srole, sum);
	if (*f != '\0') {
		struct tui_box	bot = { b->y + b->h - 1, b->x + 2, 1,
				    b->w - 4, 0 };
		screen_textf(&bot, 0, 0, ROLE_ACCENT, " /%s (%d of %d) ", f,
		    table_rows(p->table), table_rows_total(p->table));
	}
	if (!p->st.ok && p->st.source[0] != '\0') {
		panel_error_line(p, &in, in.h - 1, now);
		in.h--;
	}
	table_draw(p->table, &in, 1, focused);
	panel_empty(p, &in);
}

int
panel_key(struct panel *p, int key, int page)
{
	if (p->cls->key != NULL && p->cls->key(p, key)) {
		p->dirty = 1;
		return (1);
	}
	if (table_key(p->table, key, page)) {
		p->dirty = 1;
		return (1);
	}
	return (0);
}
