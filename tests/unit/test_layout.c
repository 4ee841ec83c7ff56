/* test_layout.c: panel geometry for terminal sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "layout.h"

/* No two visible panels overlap and all stay inside the body. */
static void
assert_tiles(const struct layout *l, int rows, int cols)
{
	int	i, j;

	for (i = 0; i < l->npanels; i++) {
		const struct layout_rect	*a = &l->panels[i];

		if (!a->visible)
			continue;
		assert_true(a->y >= 1 && a->y + a->h <= rows - 1);
		assert_true(a->x >= 0 && a->x + a->w <= cols);
		assert_true(a->h > 0 && a->w > 0);
		for (j = i + 1; j < l->npanels; j++) {
			const struct layout_rect	*b = &l->panels[j];

			if (!b->visible)
				continue;
			assert_false(a->x < b->x + b->w && b->x < a->x + a->w &&
			    a->y < b->y + b->h && b->y < a->y + a->h);
		}
	}
}

static int
covered_cells(const struct layout *l)
{
	int	i, n = 0;

	for (i = 0; i < l->npanels; i++)
		if (l->panels[i].visible)
			n += l->panels[i].h * l->panels[i].w;
	return (n);
}

static void
test_grid_wide(void **state)
{
	struct layout	l;

	layout_compute(&l, 50, 200, 5, 0, 0, -1);
	assert_int_equal(l.mode, LAYOUT_GRID);
	assert_tiles(&l, 50, 200);
	assert_int_equal(covered_cells(&l), 48 * 200);
	/* Pods and alerts share the top row, pods wider. */
	assert_int_equal(l.panels[0].y, l.panels[4].y);
	assert_true(l.panels[0].w > l.panels[4].w);
	assert_int_equal(l.panels[1].y, l.panels[2].y);
	assert_int_equal(l.header.y, 0);
	assert_int_equal(l.status.y, 49);
}

static void
test_grid_threshold(void **state)
{
	struct layout	l;

	layout_compute(&l, 40, 160, 5, 0, 0, -1);
	assert_int_equal(l.mode, LAYOUT_GRID);
	layout_compute(&l, 40, 159, 5, 0, 0, -1);
	assert_int_equal(l.mode, LAYOUT_STACK);
	layout_compute(&l, 29, 200, 5, 0, 0, -1);
	assert_int_equal(l.mode, LAYOUT_STACK);
}

static void
test_stack_80x24(void **state)
{
	struct layout	l;
	int		i;

	layout_compute(&l, 24, 80, 5, 2, 0, -1);
	assert_int_equal(l.mode, LAYOUT_STACK);
	assert_tiles(&l, 24, 80);
	assert_int_equal(covered_cells(&l), 22 * 80);
	for (i = 0; i < 5; i++) {
		assert_true(l.panels[i].visible);
		if (i == 2) {
			assert_false(l.panels[i].strip);
			assert_int_equal(l.panels[i].h, 22 - 4 * LAYOUT_STRIP);
		} else {
			assert_true(l.panels[i].strip);
			assert_int_equal(l.panels[i].h, LAYOUT_STRIP);
		}
	}
	/* Panels keep their order top to bottom. */
	for (i = 1; i < 5; i++)
		assert_true(l.panels[i].y > l.panels[i - 1].y);
}

static void
test_grid_right_panel(void **state)
{
	struct layout	l;

	/* Six panels, the fifth shares the top row with the first. */
	layout_compute(&l, 50, 200, 6, 0, 0, 4);
	assert_tiles(&l, 50, 200);
	assert_int_equal(covered_cells(&l), 48 * 200);
	assert_int_equal(l.panels[4].y, l.panels[0].y);
	assert_int_equal(l.panels[5].y, l.panels[1].y);
	assert_true(l.panels[5].x > l.panels[3].x);
}

static void
test_stack_six_panels(void **state)
{
	struct layout	l;
	int		i;

	/* Six panels at 80x24: strips shrink to two rows. */
	layout_compute(&l, 24, 80, 6, 0, 0, -1);
	assert_int_equal(l.mode, LAYOUT_STACK);
	assert_tiles(&l, 24, 80);
	assert_int_equal(covered_cells(&l), 22 * 80);
	assert_int_equal(l.panels[0].h, 22 - 5 * 2);
	for (i = 1; i < 6; i++)
		assert_int_equal(l.panels[i].h, 2);
	/* With room, strips keep three rows. */
	layout_compute(&l, 40, 100, 6, 0, 0, -1);
	for (i = 1; i < 6; i++)
		assert_int_equal(l.panels[i].h, LAYOUT_STRIP);
}

static void
test_too_small(void **state)
{
	struct layout	l;

	layout_compute(&l, 23, 80, 5, 0, 0, -1);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	layout_compute(&l, 24, 79, 5, 0, 0, -1);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	layout_compute(&l, 1, 1, 5, 0, 1, -1);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
	layout_compute(&l, 0, 0, 5, 0, 0, -1);
	assert_int_equal(l.mode, LAYOUT_TOO_SMALL);
}

static void
test_zoom(void **state)
{
	struct layout	l;
	int		i;

	layout_compute(&l, 50, 200, 5, 3, 1, -1);
	assert_int_equal(l.mode, LAYOUT_ZOOM);
	for (i = 0; i < 5; i++)
		assert_int_equal(l.panels[i].visible, i == 3);
	assert_int_equal(l.panels[3].h, 48);
	assert_int_equal(l.panels[3].w, 200);
}

static void
test_bad_focus(void **state)
{
	struct layout	l;

	layout_compute(&l, 24, 80, 5, 99, 0, -1);
	assert_int_equal(l.mode, LAYOUT_STACK);
	assert_false(l.panels[0].strip);
	layout_compute(&l, 24, 80, 5, -3, 0, -1);
	assert_false(l.panels[0].strip);
}

static void
test_all_sizes_tile(void **state)
{
	struct layout	l;
	int		r, c, f;

	for (r = 24; r < 80; r += 7)
		for (c = 80; c < 300; c += 13)
			for (f = 0; f < 6; f++) {
				layout_compute(&l, r, c, 5 + f % 2, f, 0, -1);
				assert_tiles(&l, r, c);
				assert_int_equal(covered_cells(&l),
				    (r - 2) * c);
			}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grid_wide),
		cmocka_unit_test(test_grid_threshold),
		cmocka_unit_test(test_stack_80x24),
		cmocka_unit_test(test_grid_right_panel),
		cmocka_unit_test(test_stack_six_panels),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_zoom),
		cmocka_unit_test(test_bad_focus),
		cmocka_unit_test(test_all_sizes_tile),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
