/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The table of AtomVM's test suite that scripts/atomvm_conformance.py generates from
 * AtomVM's tests/test.c and skips.yaml.
 */
#ifndef CONFORMANCE_H_
#define CONFORMANCE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conformance_test {
	const char *module;
	/* What start/0 returns when the test passes (test.c's expected value). */
	int32_t expected;
	/* Why the test does not run on this board (skips.yaml), or NULL. */
	const char *skip;
};

extern const struct conformance_test conformance_tests[];
extern const size_t conformance_tests_count;

/* The packed test modules (conformance.avm), linked in by CMakeLists.txt. */
extern const uint8_t conformance_avm[];
extern const size_t conformance_avm_len;

#endif /* CONFORMANCE_H_ */
