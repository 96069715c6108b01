/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The spi test's register files by role (src/lib.rs): 0 regs_a, 1 regs_b (spi_bus),
 * 2 regs_c (spi_bus2).
 */

#include <zephyr/drivers/emul.h>

const struct emul *spi_test_emul(int which)
{
	switch (which) {
	case 0:
		return EMUL_DT_GET(DT_NODELABEL(regs_a));
	case 1:
		return EMUL_DT_GET(DT_NODELABEL(regs_b));
	case 2:
		return EMUL_DT_GET(DT_NODELABEL(regs_c));
	default:
		return NULL;
	}
}
