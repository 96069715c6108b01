/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Plays touches on the emulated FT5x06 behind the chosen atomvm,touch screen, as a finger
 * would: a tap, a swipe, a two-finger spread; then again every few seconds. Each step sets the
 * chip's registers and raises its INT line, so the port reads it like real hardware.
 */
#include <zephyr/device.h>
#include <zephyr/drivers/emul.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/util.h>

#include <atomvm_ports/ft5x06_emul.h>

#define CHIP DT_PHANDLE(DT_CHOSEN(atomvm_touch), controller)
BUILD_ASSERT(DT_NODE_HAS_COMPAT(CHIP, atomvm_ft5x06_emul),
	     "the sample's script needs an emulated controller");

#define DOWN    FT5X06_EMUL_EVENT_DOWN
#define CONTACT FT5X06_EMUL_EVENT_CONTACT

struct step {
	const char *say;
	uint8_t n;
	struct ft5x06_emul_point pts[2];
};

#define P(x_, y_, id_, ev_) {.x = (x_), .y = (y_), .id = (id_), .event = (ev_), .weight = 40}

static const struct step script[] = {
	{"tap", 1, {P(120, 80, 0, DOWN)}},
	{NULL, 0, {}},
	{"swipe", 1, {P(60, 136, 0, DOWN)}},
	{NULL, 1, {P(140, 136, 0, CONTACT)}},
	{NULL, 1, {P(220, 136, 0, CONTACT)}},
	{NULL, 1, {P(300, 136, 0, CONTACT)}},
	{NULL, 1, {P(380, 136, 0, CONTACT)}},
	{NULL, 0, {}},
	{"two fingers", 2, {P(200, 100, 0, DOWN), P(280, 170, 1, DOWN)}},
	{NULL, 2, {P(170, 90, 0, CONTACT), P(310, 180, 1, CONTACT)}},
	{NULL, 0, {}},
};

static void play(struct k_work *work);
static K_WORK_DELAYABLE_DEFINE(player, play);
static size_t next;

static void play(struct k_work *work)
{
	const struct emul *chip = EMUL_DT_GET(CHIP);
	const struct step *s = &script[next];

	if (s->say != NULL) {
		printk("script: %s\n", s->say);
	}
	ft5x06_emul_set_points(chip, s->pts, s->n);
	ft5x06_emul_raise_int(chip);
	next = (next + 1) % ARRAY_SIZE(script);
	/* 60 ms between steps, 2 s between plays. */
	k_work_reschedule(k_work_delayable_from_work(work), K_MSEC(next == 0 ? 2000 : 60));
}

static int start_script(void)
{
	/* The Erlang app subscribes within this first second. */
	k_work_schedule(&player, K_MSEC(1000));
	return 0;
}

SYS_INIT(start_script, APPLICATION, CONFIG_APPLICATION_INIT_PRIORITY);
