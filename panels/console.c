/* console.c: the console screen: its state, keys, commands and loop
 * hooks (drawing is console_draw.c). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "audit_view.h"
#include "console_int.h"
#include "dialog.h"
#include "drills.h"
#include "follow.h"
#include "keys.h"
#include "layout.h"
#include "loop.h"
#include "pager.h"
#include "panel.h"
#include "paths.h"
#include "prompt.h"
#include "runbooks.h"
#include "screen.h"
#include "util.h"
#include "xmalloc.h"

static const struct keyhelp global_keys[] = {
	{ "Tab / S-Tab", "focus the next / previous panel" },
	{ "1-6", "focus a panel by number" },
	{ "z / Enter", "zoom the focused panel to full screen" },
	{ "Esc", "back: close help, unzoom, clear the filter" },
	{ "j k / Up Down", "move the selection" },
	{ "PgUp PgDn / C-b C-f", "page up / down" },
	{ "g / G", "first / last row" },
	{ "s / S", "sort by the next column / reverse the order" },
	{ "/", "filter the focused panel (narrows as you type)" },
	{ ":", "command line (:help lists the commands)" },
	{ "r", "refresh every source now" },
	{ "R", "open the suggested runbook (status bar), else the open run" },
	{ "C-l", "repaint the screen" },
	{ "?", "this help" },
	{ "q / C-c", "quit" },
	{ NULL, NULL }
};

/* Commands ---------------------------------------------------------------- */

struct console_cmd {
	const char	*name;
	const char	*args;
	const char	*help;
	void		(*fn)(struct console *, const char *arg);
};

static void	cmd_quit(struct console *, const char *);
static void	cmd_theme(struct console *, const char *);
static void	cmd_help(struct console *, const char *);
static void	cmd_zoom(struct console *, const char *);
static void	cmd_filter(struct console *, const char *);
static void	cmd_sort(struct console *, const char *);
static void	cmd_refresh(struct console *, const char *);
static void	cmd_audit(struct console *, const char *);
static void	cmd_runbook(struct console *, const char *);
static void	cmd_incident(struct console *, const char *);
static void	cmd_resume(struct console *, const char *);
static void	cmd_handover(struct console *, const char *);
static void	cmd_wheel(struct console *, const char *);

static const struct console_cmd console_cmds[] = {
	{ "quit", "", "leave sitrep (also :q)", cmd_quit },
	{ "q", NULL, NULL, cmd_quit },
	{ "theme", "NAME", "switch theme: default, light, high-contrast, "
	    "mono, or a file", cmd_theme },
	{ "help", "", "show keys and commands", cmd_help },
	{ "zoom", "", "zoom the focused panel in or out", cmd_zoom },
	{ "filter", "TEXT", "filter the focused panel; no TEXT clears",
	    cmd_filter },
	{ "sort", "COLUMN [desc]", "sort the focused panel by a column",
	    cmd_sort },
	{ "refresh", "", "ask every source for new data now", cmd_refresh },
	{ "runbook", "[NAME]", "run a runbook; no NAME lists them (and the "
	    "open runs)", cmd_runbook },
	{ "incident", "[TITLE|close]", "open an incident (or retitle it), "
	    "close it, or show it", cmd_incident },
	{ "resume", "[N]", "reopen a run left unfinished in the audit trail",
	    cmd_resume },
	{ "audit", "", "the audit trail's last records", cmd_audit },
	{ "follow", "INCIDENT", "follow an incident through the war room "
	    "(read-only); no INCIDENT reopens the view", console_cmd_follow },
	{ "handover", "[NAME]", "give the wheel of the incident you drive to "
	    "a watcher; no NAME lists them", cmd_handover },
	{ "wheel", "", "take the wheel of the followed incident when its "
	    "driver has left", cmd_wheel },
	{ "drill", "[NAME]", "open a disaster-recovery drill board; no NAME "
	    "lists the drills", console_cmd_drill },
	{ NULL, NULL, NULL, NULL }
};

void
console_message(struct console *c, int error, const char *msg)
{
	snprintf(c->msg, sizeof c->msg, "%s", msg);
	c->msg_error = error;
	c->msg_until = mono_ms() + (error ? 10000 : 5000);
}

static void
console_messagef(struct console *c, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
console_messagef(struct console *c, int error, const char *fmt, ...)
{
	char	buf[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	console_message(c, error, buf);
}

static void
cmd_quit(struct console *c, const char *arg)
{
	c->quit = 1;
}

static void
cmd_audit(struct console *c, const char *arg)
{
	audit_view_open(&c->host);
}

static int
console_load_theme(struct console *c, const char *name)
{
	char	path[1024], err[300], file[300];

	if (strchr(name, '/') != NULL)
		snprintf(path, sizeof path, "%s", name);
	else {
		snprintf(file, sizeof file, "%s.yaml", name);
		if (paths_find("themes", file, path, sizeof path) != 0) {
			theme_builtin(&c->theme);
			screen_set_theme(&c->theme);
			console_messagef(c, 1, "no theme '%s' (looked in "
			    "themes/ of the data directories); using the "
			    "built-in default", name);
			return (-1);
		}
	}
	if (theme_load_file(path, &c->theme, err, sizeof err) != 0) {
		screen_set_theme(&c->theme);
		console_messagef(c, 1, "%s; using the built-in default", err);
		return (-1);
	}
	screen_set_theme(&c->theme);
	return (0);
}

static void
cmd_theme(struct console *c, const char *arg)
{
	if (arg == NULL || *arg == '\0') {
		console_messagef(c, 0, "theme %s (:theme NAME to change)",
		    c->theme.name);
		return;
	}
	if (console_load_theme(c, arg) == 0)
		console_messagef(c, 0, "theme %s", c->theme.name);
	c->all_dirty = 1;
}

static void
cmd_zoom(struct console *c, const char *arg)
{
	c->zoom = !c->zoom;
	console_layout(c);
}

static void
cmd_filter(struct console *c, const char *arg)
{
	table_set_filter(c->panels[c->focus]->table, arg ? arg : "");
	c->panels[c->focus]->dirty = 1;
}

static void
cmd_sort(struct console *c, const char *arg)
{
	struct table	*t = c->panels[c->focus]->table;
	char		 col[64];
	int		 i, desc = 0;

	col[0] = '\0';
	if (arg != NULL)
		sscanf(arg, "%63s", col);
	if (arg != NULL && strstr(arg, " desc") != NULL)
		desc = 1;
	for (i = 0; i < table_ncols(t); i++) {
		if (strcasecmp(table_col_title(t, i), col) == 0) {
			table_set_sort(t, i, desc);
			c->panels[c->focus]->dirty = 1;
			return;
		}
	}
	if (strcasecmp(col, "default") == 0 || col[0] == '\0') {
		table_set_sort(t, -1, 0);
		c->panels[c->focus]->dirty = 1;
		return;
	}
	console_messagef(c, 1, "no column '%s' in %s", col,
	    c->panels[c->focus]->cls->title);
}

static void
cmd_refresh(struct console *c, const char *arg)
{
	if (c->hooks.refresh != NULL)
		c->hooks.refresh(c->hooks.arg);
	console_message(c, 0, "refreshing every source");
}

static void
cmd_runbook(struct console *c, const char *arg)
{
	if (arg == NULL || *arg == '\0')
		runbooks_open_picker(c->runbooks);
	else
		runbooks_open_name(c->runbooks, arg);
}

static void
cmd_incident(struct console *c, const char *arg)
{
	runbooks_incident_cmd(c->runbooks, arg);
}

static void
cmd_handover(struct console *c, const char *arg)
{
	runbooks_handover_cmd(c->runbooks, arg);
}

static void
cmd_wheel(struct console *c, const char *arg)
{
	runbooks_take_wheel_cmd(c->runbooks);
}

static void
cmd_resume(struct console *c, const char *arg)
{
	runbooks_resume(c->runbooks, arg);
}

static void
console_focus(struct console *c, int i)
{
	if (i < 0 || i >= c->npanels)
		return;
	c->focus = i;
	console_layout(c);
}

static int
console_focus_name(struct console *c, const char *name)
{
	int	i;
	size_t	n = strlen(name);

	if (n == 0)
		return (-1);
	for (i = 0; i < c->npanels; i++) {
		if (strncasecmp(c->panels[i]->cls->name, name, n) == 0) {
			console_focus(c, i);
			return (0);
		}
	}
	return (-1);
}

static void
console_command(struct console *c, char *line)
{
	const struct console_cmd	*cmd;
	char				*arg;

	while (*line == ' ')
		line++;
	if (*line == '\0')
		return;
	arg = strchr(line, ' ');
	if (arg != NULL) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
	}
	for (cmd = console_cmds; cmd->name != NULL; cmd++) {
		if (strcmp(cmd->name, line) == 0) {
			cmd->fn(c, arg);
			return;
		}
	}
	if (console_focus_name(c, line) == 0)
		return;
	console_messagef(c, 1, "unknown command ':%s' (:help lists them)",
	    line);
}

/* The host panels use ----------------------------------------------------- */

static void
host_message(void *arg, int error, const char *msg)
{
	console_message(arg, error, msg);
}

static void
host_dialog(void *arg, struct dialog *d, struct panel *p,
    void (*on_close)(struct panel *, struct dialog *, int))
{
	struct console	*c = arg;

	dialog_free(c->dialog);
	c->dialog = d;
	c->dialog_panel = p;
	c->dialog_close = on_close;
	c->mode = MODE_DIALOG;
}

static void
host_pager(void *arg, struct pager *pg)
{
	struct console	*c = arg;

	pager_free(c->detail);
	c->detail = pg;
	c->mode = MODE_PAGER;
}

static void
host_runbook(void *arg, const struct alert *a)
{
	struct console	*c = arg;

	runbooks_open_alert(c->runbooks, a);
}

static void
console_dialog_key(struct console *c, int key)
{
	enum dialog_result	r = dialog_key(c->dialog, key);
	struct dialog		*d = c->dialog;

	if (r == DIALOG_OPEN)
		return;
	c->dialog = NULL;
	c->mode = MODE_NORMAL;
	c->all_dirty = 1;
	screen_cursor(-1, -1);
	if (c->dialog_close != NULL)
		c->dialog_close(c->dialog_panel, d, r);
	dialog_free(d);
}

/* Help ------------------------------------------------------------------- */

static void
help_keys(struct pager *h, const struct keyhelp *k)
{
	for (; k != NULL && k->key != NULL; k++)
		pager_addf(h, ROLE_NORMAL, "  %-20s %s", k->key, k->desc);
}

static int
console_help_width(const struct console *c)
{
	return ((c->cols > 100 ? 96 : c->cols - 4) - 4);
}

static void
cmd_help(struct console *c, const char *arg)
{
	const struct panel_class	*pc = c->panels[c->focus]->cls;
	const struct console_cmd	*cmd;
	char				 buf[64];
	const char			*title = pc->title;
	const char			*text = pc->help;
	const struct keyhelp		*keys = pc->keys;

	switch (console_view(c)) {
	case VIEW_RUNBOOK:
		title = "Runbook";
		text = runbooks_help;
		keys = runbooks_keys;
		break;
	case VIEW_DRILL:
		title = "Drill board";
		text = drills_help;
		keys = drills_keys;
		break;
	case VIEW_FOLLOW:
		title = "Following an incident";
		text = follow_help;
		keys = follow_keys;
		break;
	case VIEW_PANELS:
		break;
	}

	pager_free(c->help);
	c->help = pager_new("Help (Esc, q or ? closes)");
	pager_addf(c->help, ROLE_TITLE, "%s", title);
	if (text != NULL)
		pager_add_wrapped(c->help, ROLE_NORMAL, 2, console_help_width(c),
		    text);
	if (keys != NULL) {
		pager_add(c->help, ROLE_NORMAL, "");
		pager_addf(c->help, ROLE_TITLE, "%s keys", title);
		help_keys(c->help, keys);
	}
	pager_add(c->help, ROLE_NORMAL, "");
	pager_add(c->help, ROLE_TITLE, "Keys");
	help_keys(c->help, global_keys);
	pager_add(c->help, ROLE_NORMAL, "");
	pager_add(c->help, ROLE_TITLE, "Commands");
	for (cmd = console_cmds; cmd->name != NULL; cmd++) {
		if (cmd->help == NULL)
			continue;
		snprintf(buf, sizeof buf, ":%s %s", cmd->name, cmd->args);
		pager_addf(c->help, ROLE_NORMAL, "  %-20s %s", buf, cmd->help);
	}
	pager_addf(c->help, ROLE_NORMAL, "  %-20s %s", ":PANEL",
	    "focus a panel by name: :pods :replication :outbox :circuits "
	    ":alerts :redis");
	c->mode = MODE_HELP;
}

/* Keys ------------------------------------------------------------------- */

static int
console_page(const struct console *c)
{
	const struct layout_rect	*r = &c->layout.panels[c->focus];

	return (r->h > 4 ? r->h - 4 : 1);
}

static void
console_key_prompt(struct console *c, int key)
{
	enum prompt_result	r = prompt_key(&c->prompt, key);
	struct panel		*p = c->panels[c->focus];
	char			 line[PROMPT_MAX];

	if (c->mode == MODE_FILTER && (r == PROMPT_EDITED ||
	    r == PROMPT_CANCEL) && runbooks_filter(c->runbooks) != NULL)
		runbooks_set_filter(c->runbooks, r == PROMPT_CANCEL ? "" :
		    c->prompt.buf);
	else if (c->mode == MODE_FILTER && (r == PROMPT_EDITED ||
	    r == PROMPT_CANCEL)) {
		table_set_filter(p->table, r == PROMPT_CANCEL ? "" :
		    c->prompt.buf);
		p->dirty = 1;
	}
	if (r != PROMPT_DONE && r != PROMPT_CANCEL)
		return;
	snprintf(line, sizeof line, "%s", c->prompt.buf);
	prompt_close(&c->prompt);
	screen_cursor(-1, -1);
	if (c->mode == MODE_COMMAND && r == PROMPT_DONE) {
		c->mode = MODE_NORMAL;
		console_command(c, line);	/* may open a dialog */
		return;
	}
	c->mode = MODE_NORMAL;
}

static void
console_escape(struct console *c)
{
	struct panel	*p = c->panels[c->focus];

	if (*table_filter(p->table) != '\0') {
		table_set_filter(p->table, "");
		p->dirty = 1;
	} else if (c->zoom) {
		c->zoom = 0;
		console_layout(c);
	}
}

static void
console_quit_closed(struct panel *p, struct dialog *d, int result)
{
	if (result == DIALOG_CONFIRM)
		((struct console *)dialog_data(d))->quit = 1;
}

/* q: leave, after a y when a runbook step is running (it is cancelled). */
static void
console_quit(struct console *c)
{
	struct dialog	*d;
	char		 what[256];

	if (!runbooks_running(c->runbooks, what, sizeof what)) {
		c->quit = 1;
		return;
	}
	d = dialog_new("Quit sitrep?");
	dialog_line(d, ROLE_WARN, "A runbook step is running: %s.", what);
	dialog_line(d, ROLE_NORMAL, "Quitting cancels it (its processes are "
	    "killed).");
	dialog_hint(d, "y quit and cancel it  n/Esc stay");
	dialog_set_data(d, c);
	host_dialog(c, d, NULL, console_quit_closed);
}

/* Keys of the panels and the runbook views alike; 1 = handled. */
static int
console_key_global(struct console *c, int key)
{
	switch (key) {
	case ':':
		c->mode = MODE_COMMAND;
		prompt_open(&c->prompt, ":", "");
		return (1);
	case '?':
	case KEYC_F1:
		cmd_help(c, NULL);
		return (1);
	case 'r':
		cmd_refresh(c, NULL);
		return (1);
	case 'R':
		runbooks_open_suggested(c->runbooks);
		return (1);
	case KEYC_CTRL('l'):
		screen_redraw_all();
		c->all_dirty = 1;
		return (1);
	}
	return (0);
}

enum console_view
console_view(const struct console *c)
{
	if (runbooks_showing(c->runbooks))
		return (VIEW_RUNBOOK);
	if (c->drills != NULL && drills_showing(c->drills))
		return (VIEW_DRILL);
	if (c->follow != NULL && follow_showing(c->follow))
		return (VIEW_FOLLOW);
	return (VIEW_PANELS);
}

/* The keys of the view showing. */
static enum runbooks_key
console_view_key(struct console *c, int key)
{
	enum runbooks_key	r = RUNBOOKS_UNHANDLED;

	switch (console_view(c)) {
	case VIEW_RUNBOOK:
		r = runbooks_key(c->runbooks, key, c->rows - 8);
		break;
	case VIEW_DRILL:
		if ((r = drills_key(c->drills, key, c->rows - 8)) ==
		    RUNBOOKS_LEAVE)
			drills_hide(c->drills);
		break;
	case VIEW_FOLLOW:
		if ((r = follow_key(c->follow, key, c->rows - 8)) ==
		    RUNBOOKS_LEAVE)
			follow_hide(c->follow);
		break;
	case VIEW_PANELS:
		break;
	}
	return (r);
}

/* A view shows: its keys first (Esc leaves it, never confirms). */
static void
console_key_view(struct console *c, int key)
{
	const char	*filter = runbooks_filter(c->runbooks);

	if (console_view_key(c, key) != RUNBOOKS_UNHANDLED ||
	    console_key_global(c, key))
		return;
	if (key == '/' && filter != NULL) {
		c->mode = MODE_FILTER;
		prompt_open(&c->prompt, "/", filter);
		return;
	}
	console_messagef(c, 0, "key not bound here (? for help)");
}

static void
console_key_normal(struct console *c, int key)
{
	struct panel	*p = c->panels[c->focus];

	if (console_view(c) != VIEW_PANELS) {
		console_key_view(c, key);
		return;
	}
	if (console_key_global(c, key))
		return;
	if (key >= '1' && key <= '9') {
		console_focus(c, key - '1');
		return;
	}
	switch (key) {
	case 'q':
	case KEYC_CTRL('c'):
		console_quit(c);
		return;
	case KEYC_TAB:
		console_focus(c, (c->focus + 1) % c->npanels);
		return;
	case KEYC_BTAB:
		console_focus(c, (c->focus + c->npanels - 1) % c->npanels);
		return;
	case KEYC_ENTER:
		/* A panel may open a detail view; otherwise Enter zooms. */
		if (p->cls->key != NULL && p->cls->key(p, key)) {
			p->dirty = 1;
			return;
		}
		cmd_zoom(c, NULL);
		return;
	case 'z':
		cmd_zoom(c, NULL);
		return;
	case KEYC_ESC:
		console_escape(c);
		return;
	case '/':
		c->mode = MODE_FILTER;
		prompt_open(&c->prompt, "/", table_filter(p->table));
		return;
	}
	if (!panel_key(p, key, console_page(c)))
		console_messagef(c, 0, "key not bound here (? for help)");
}

static void
console_on_key(void *arg, int key)
{
	struct console	*c = arg;

	switch (c->mode) {
	case MODE_COMMAND:
	case MODE_FILTER:
		console_key_prompt(c, key);
		break;
	case MODE_HELP:
		if (key == KEYC_ESC || key == 'q' || key == '?' ||
		    key == KEYC_CTRL('c')) {
			c->mode = MODE_NORMAL;
			c->all_dirty = 1;
		} else
			pager_key(c->help, key, c->rows - 6);
		break;
	case MODE_PAGER:
		if (key == KEYC_ESC || key == 'q' || key == KEYC_CTRL('c')) {
			c->mode = MODE_NORMAL;
			c->all_dirty = 1;
		} else
			pager_key(c->detail, key, c->rows - 4);
		break;
	case MODE_DIALOG:
		console_dialog_key(c, key);
		break;
	case MODE_NORMAL:
		console_key_normal(c, key);
		break;
	}
}

/* Loop hooks ------------------------------------------------------------- */

static void
console_on_wake(void *arg)
{
	struct console	*c = arg;
	int		 i, fresh = 0;

	store_drain(c->store);
	if (c->host.actions != NULL && actions_collect(c->host.actions) > 0)
		c->all_dirty = 1;
	runbooks_poll(c->runbooks);
	console_room_poll(c);
	for (i = 0; i < c->npanels; i++) {
		struct panel	*p = c->panels[i];
		uint64_t	 g = p->generation;

		panel_refresh(p, c->store);
		if (p->generation == g)
			continue;
		fresh = 1;
		if (p->cls->kind == SNAP_ALERTS && p->snap != NULL)
			runbooks_alerts(c->runbooks, p->snap);
	}
	if (fresh && c->opts.exit_after > 0 &&
	    ++c->refreshes >= c->opts.exit_after)
		c->quit = 1;
}

static void
console_on_tick(void *arg)
{
	struct console	*c = arg;
	int		 i;

	/* Ages and the clock move once a second; so do the runbooks' waits
	 * (engine_next_wake is never finer than a second). */
	for (i = 0; i < c->npanels; i++)
		c->panels[i]->dirty = 1;
	runbooks_poll(c->runbooks);
	console_room_poll(c);
}

static void
console_on_resize(void *arg)
{
	console_layout(arg);
}

static void
console_on_signal(void *arg, int sig)
{
	struct console	*c = arg;

	/* The terminal turns C-c into SIGINT: it is the C-c key (cancel in
	 * a runbook view or a dialog; quit, after a y if a step runs). */
	if (sig == SIGINT) {
		console_on_key(c, KEYC_CTRL('c'));
		return;
	}
	c->quit = 1;
	c->status = 128 + sig;
}

static int
console_done(void *arg)
{
	return (((struct console *)arg)->quit);
}

static const struct loop_ops console_ops = {
	.key = console_on_key,
	.wake = console_on_wake,
	.tick = console_on_tick,
	.resize = console_on_resize,
	.signal = console_on_signal,
	.draw = console_draw,
	.done = console_done,
};

static void
console_runbooks(struct console *c)
{
	struct runbooks_opts	o;

	memset(&o, 0, sizeof o);
	o.host = &c->host;
	if (c->opts.env == NULL)
		c->opts.env = "default";
	o.env = c->opts.env;
	o.production = c->opts.production;
	o.read_only = c->opts.read_only;
	o.dry_run = c->opts.dry_run;
	o.audit_fn = c->opts.audit_fn;
	o.audit_arg = c->opts.audit_arg;
	o.audit_trail = c->opts.audit_trail;
	o.audit = c->hooks.audit;
	o.store = c->store;
	o.wr = c->hooks.wr;
	o.self = c->hooks.self;
	o.observe_fn = console_observe;
	o.observe_arg = c;
	c->runbooks = runbooks_new(&o);
}

struct console *
console_new(struct store *store, const struct console_opts *opts,
    const struct console_hooks *hooks)
{
	struct console	*c = xcalloc(1, sizeof *c);
	int		 i;

	c->store = store;
	c->opts = *opts;
	if (hooks != NULL)
		c->hooks = *hooks;
	c->host.arg = c;
	c->host.message = host_message;
	c->host.dialog = host_dialog;
	c->host.pager = host_pager;
	c->host.runbook = host_runbook;
	c->host.actions = c->hooks.actions;
	c->host.operator = c->hooks.operator ? c->hooks.operator : "";
	console_runbooks(c);
	console_room_new(c);
	for (i = 0; i < MAX_PANELS && panel_registry[i] != NULL; i++) {
		c->panels[c->npanels] = panel_new(panel_registry[i]);
		c->panels[c->npanels]->unconfigured =
		    !(opts->kinds & (1u << panel_registry[i]->kind));
		c->panels[c->npanels]->host = &c->host;
		c->npanels++;
	}
	theme_builtin(&c->theme);
	return (c);
}

void
console_free(struct console *c)
{
	int	i;

	if (c == NULL)
		return;
	console_room_free(c);
	runbooks_free(c->runbooks);
	for (i = 0; i < c->npanels; i++)
		panel_free(c->panels[i]);
	pager_free(c->help);
	pager_free(c->detail);
	dialog_free(c->dialog);
	prompt_free(&c->prompt);
	free(c);
}

int
console_run(struct console *c)
{
	if (c->opts.theme != NULL)
		console_load_theme(c, c->opts.theme);
	else
		screen_set_theme(&c->theme);
	if (c->opts.focus != NULL && console_focus_name(c, c->opts.focus) != 0)
		console_messagef(c, 1, "no panel '%s'", c->opts.focus);
	console_layout(c);
	runbooks_resume_scan(c->runbooks);
	console_room_start(c);
	console_on_wake(c);
	loop_run(&console_ops, c, store_wake_fd(c->store));
	return (c->status);
}
