/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * C helpers of the touch test's `touch_emul' port (src/lib.rs): the emulator instance and a
 * flood of INT interrupts from a k_timer (interrupt context), each after moving the single
 * contact one step, so that every frame the port reads is an event.
 */

#include <zephyr/device.h>
#include <zephyr/drivers/emul.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/atomic.h>

#include <atomvm_ports/ft5x06_emul.h>


static struct k_timer flood_timer;
static atomic_t flood_left;
static atomic_t flood_raised;

/* The chip the Rust driver reads, or (`bridge`) the one Zephyr's ft5336 driver reads. */
const struct emul *touch_emul_target(bool bridge)
{
	return bridge ? EMUL_DT_GET(DT_NODELABEL(ft_bridge)) : EMUL_DT_GET(DT_NODELABEL(ft_touch));
}

static void flood_tick(struct k_timer *timer)
{
	uint32_t i = (uint32_t)atomic_get(&flood_raised);
	struct ft5x06_emul_point p = {
		.x = (uint16_t)(10 + i % 400),
		.y = 100,
		.id = 0,
		.event = FT5X06_EMUL_EVENT_CONTACT,
		.weight = 20,
	};

	if (atomic_dec(&flood_left) <= 0) {
		atomic_set(&flood_left, 0);
		k_timer_stop(timer);
		return;
	}
	ft5x06_emul_set_points(touch_emul_target(false), &p, 1);
	if (ft5x06_emul_raise_int(touch_emul_target(false)) == 0) {
		atomic_inc(&flood_raised);
	}
}

/* Raises INT `n` times, every `period_us` microseconds, from the timer's interrupt. */
void touch_emul_flood(uint32_t n, uint32_t period_us)
{
	k_timer_stop(&flood_timer);
	atomic_set(&flood_raised, 0);
	atomic_set(&flood_left, (atomic_val_t)n);
	k_timer_start(&flood_timer, K_USEC(period_us), K_USEC(period_us));
}

/* {Raised so far, whether the flood is still running}. */
uint32_t touch_emul_flood_raised(void)
{
	return (uint32_t)atomic_get(&flood_raised);
}

bool touch_emul_flood_running(void)
{
	return atomic_get(&flood_left) > 0;
}

static int touch_emul_init(void)
{
	k_timer_init(&flood_timer, flood_tick, NULL);
	return 0;
}

SYS_INIT(touch_emul_init, APPLICATION, CONFIG_APPLICATION_INIT_PRIORITY);
