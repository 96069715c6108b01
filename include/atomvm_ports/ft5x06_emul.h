/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Test API of the emulated FT5x06 touch controller (src/emul/ft5x06_emul.c,
 * CONFIG_ATOMVM_FT5X06_EMUL). `target` is EMUL_DT_GET(node) of an "atomvm,ft5x06-emul" node.
 */

#ifndef ATOMVM_PORTS_FT5X06_EMUL_H_
#define ATOMVM_PORTS_FT5X06_EMUL_H_

#include <stddef.h>
#include <stdint.h>

#include <zephyr/drivers/emul.h>

#define FT5X06_EMUL_MAX_POINTS 5

/* Event flags (P_XH bits 7:6). */
#define FT5X06_EMUL_EVENT_DOWN    0
#define FT5X06_EMUL_EVENT_UP      1
#define FT5X06_EMUL_EVENT_CONTACT 2
#define FT5X06_EMUL_EVENT_NONE    3

struct ft5x06_emul_point {
	uint16_t x;     /* 12 bits */
	uint16_t y;     /* 12 bits */
	uint8_t id;     /* 4 bits; 0xF = no touch */
	uint8_t event;  /* FT5X06_EMUL_EVENT_* */
	uint8_t weight;
};

/*
 * Writes TD_STATUS = n and the registers of the first min(n, 5) points; the slots after them
 * are filled with 0xFF (as a controller leaves them). n above 5 is kept in TD_STATUS, so tests
 * can make the controller report an invalid count. Returns 0.
 */
int ft5x06_emul_set_points(const struct emul *target, const struct ft5x06_emul_point *pts,
			   size_t n);

/* Drives the target's INT line (its int-gpios) active then inactive; ISR-safe. */
int ft5x06_emul_raise_int(const struct emul *target);

/* Direct register access. */
uint8_t ft5x06_emul_reg(const struct emul *target, uint8_t reg);
void ft5x06_emul_set_reg(const struct emul *target, uint8_t reg, uint8_t value);

/* Number of burst reads that started at register 0x00 (frame reads) since the last reset. */
uint32_t ft5x06_emul_frame_reads(const struct emul *target);
void ft5x06_emul_reset_counters(const struct emul *target);

#endif /* ATOMVM_PORTS_FT5X06_EMUL_H_ */
