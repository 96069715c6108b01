/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Runs AtomVM's own Erlang test suite (its tests/erlang_tests, the expected values of its
 * tests/test.c) on this platform, one test as AtomVM's test_atom() does: a fresh
 * GlobalContext, the module loaded from the linked .avm (where the helper modules that a test
 * calls are found as well), start/0 run to its end, x[0] compared with the expected value.
 *
 * The console protocol, driven by pytest/test_conformance.py, which restarts the board after
 * a test that crashes or hangs and goes on from the next one:
 *   board:   "conformance: ready <count>"
 *   harness: "run <first> <end> [<module>,...]\n"  (test indexes, end excluded, at most
 *            count; the modules listed are left out: CI's subset, skips.yaml's ci_excludes)
 *   board:   per test "RUN <index> <module>", then "PASS <module>",
 *            "FAIL <module>: <why>" or "SKIP <module>: <reason>";
 *            at the end "runner: N passed, N failed, N skipped" and "runner: end".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/drivers/uart.h>
#include <zephyr/kernel.h>

#include <atomvm_zephyr/avm.h>

#include "conformance.h"

static const struct device *const console = DEVICE_DT_GET(DT_CHOSEN(zephyr_console));

/* One line from the console, polled (the harness writes it once the board says ready). */
static void read_line(char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		unsigned char c;

		if (uart_poll_in(console, &c) != 0) {
			k_msleep(5);
			continue;
		}
		if (c == '\r' || c == '\n') {
			if (len > 0) {
				break;
			}
			continue;
		}
		if (len + 1 < size) {
			buf[len++] = (char)c;
		}
	}
	buf[len] = '\0';
}

/* Whether `module` is an item of the comma-separated `list`. */
static bool listed(const char *list, const char *module)
{
	size_t len = strlen(module);

	while (list != NULL && *list != '\0') {
		const char *comma = strchr(list, ',');
		size_t item = comma != NULL ? (size_t)(comma - list) : strlen(list);

		if (item == len && strncmp(list, module, len) == 0) {
			return true;
		}
		list = comma != NULL ? comma + 1 : NULL;
	}
	return false;
}

/* test_atom() of AtomVM's tests/test.c, with the module taken from the linked .avm. */
static bool run_test(const struct conformance_test *test, char *why, size_t why_size)
{
	char name[64];
	const void *beam;
	uint32_t beam_size;

	snprintf(name, sizeof(name), "%s.beam", test->module);
	if (!avmpack_find_section_by_name(conformance_avm, name, &beam, &beam_size)) {
		snprintf(why, why_size, "%s is not in the .avm", name);
		return false;
	}
	GlobalContext *glb = globalcontext_new();

	if (glb == NULL) {
		snprintf(why, why_size, "no memory for a GlobalContext");
		return false;
	}
	struct ConstAVMPack *pack = malloc(sizeof(*pack));

	if (pack == NULL) {
		globalcontext_destroy(glb);
		snprintf(why, why_size, "no memory for the .avm's pack data");
		return false;
	}
	/* The other modules of the suite, which a test may call, are loaded from here. */
	avmpack_data_init(&pack->base, &const_avm_pack_info);
	pack->base.data = conformance_avm;
	pack->base.in_use = true;
	synclist_append(&glb->avmpack_data, &pack->base.avmpack_head);

	Module *mod = module_new_from_iff_binary(glb, beam, beam_size);

	if (mod == NULL) {
		globalcontext_destroy(glb);
		snprintf(why, why_size, "cannot load module %s", test->module);
		return false;
	}
	globalcontext_insert_module(glb, mod);
	Context *ctx = context_new(glb);

	if (ctx == NULL) {
		globalcontext_destroy(glb);
		snprintf(why, why_size, "no memory for a process");
		return false;
	}
	ctx->leader = 1;
	context_execute_loop(ctx, mod, "start", 0);

	bool passed = false;

	if (!term_is_any_integer(ctx->x[0])) {
		snprintf(why, why_size, "expected %d but the result is not an integer",
			 (int)test->expected);
	} else {
		int32_t value = (int32_t)term_maybe_unbox_int(ctx->x[0]);

		if (value != test->expected) {
			snprintf(why, why_size, "expected %d, got %d", (int)test->expected,
				 (int)value);
		} else {
			passed = true;
		}
	}
	context_destroy(ctx);
	globalcontext_destroy(glb);
	return passed;
}

int main(void)
{
	static char line[1024];
	unsigned long first;
	unsigned long end;
	const char *left_out = NULL;

	if (!device_is_ready(console) ||
	    !avmpack_is_valid(conformance_avm, conformance_avm_len)) {
		printk("conformance: no console or no valid .avm\n");
		return 0;
	}
	printk("conformance: ready %u\n", (unsigned int)conformance_tests_count);
	for (;;) {
		char *rest;

		read_line(line, sizeof(line));
		if (strncmp(line, "run ", 4) == 0) {
			first = strtoul(line + 4, &rest, 10);
			end = strtoul(rest, &rest, 10);
			end = MIN(end, conformance_tests_count);
			if (*rest == ' ') {
				left_out = rest + 1;
			} else if (*rest != '\0') {
				first = end + 1;
			}
			if (first <= end) {
				break;
			}
		}
		printk("conformance: bad command \"%s\", expected \"run <first> <end> [<module>,...]\"\n",
		       line);
	}

	unsigned int passed = 0;
	unsigned int failed = 0;
	unsigned int skipped = 0;

	for (unsigned long i = first; i < end; i++) {
		const struct conformance_test *test = &conformance_tests[i];
		char why[96];

		printk("RUN %lu %s\n", i, test->module);
		if (test->skip != NULL) {
			printk("SKIP %s: %s\n", test->module, test->skip);
			skipped++;
			continue;
		}
		if (listed(left_out, test->module)) {
			printk("SKIP %s: left out of this run (skips.yaml, ci_excludes)\n", test->module);
			skipped++;
			continue;
		}
		int64_t start = k_uptime_get();
		bool ok = run_test(test, why, sizeof(why));

		/* Whatever the test printed goes out before its verdict. */
		fflush(stdout);
		if (ok) {
			printk("PASS %s (%lld ms)\n", test->module, (long long)(k_uptime_get() - start));
			passed++;
		} else {
			printk("FAIL %s: %s\n", test->module, why);
			failed++;
		}
	}
	printk("runner: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	printk("runner: end\n");
	return 0;
}
