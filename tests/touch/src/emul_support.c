/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * C helpers of the touch test's `touch_emul' port (src/lib.rs): the emulator instances, a
 * flood of INT interrupts from a k_timer (interrupt context), each after moving the single
 * contact one step, so that every frame the port reads is an event, and the benchmark's
 * clock and interrupt raised from interrupt context (irq_offload).
 */

#include <zephyr/device.h>
#include <zephyr/drivers/emul.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/atomic.h>

#include <atomvm_ports/ft5x06_emul.h>


static struct k_timer flood_timer;
static atomic_t flood_left;
static atomic_t flood_raised;
static atomic_t flood_target;

/*
 * The emulated chips: 0 the one the Rust driver reads for touch_port, 1 the one Zephyr's
 * ft5336 driver reads (touch_input), 2 the one of touch_second, 3 the one of touch_broken.
 */
const struct emul *touch_emul_target(int which)
{
	switch (which) {
	case 1:
		return EMUL_DT_GET(DT_NODELABEL(ft_bridge));
	case 2:
		return EMUL_DT_GET(DT_NODELABEL(ft_second));
	case 3:
		return EMUL_DT_GET(DT_NODELABEL(ft_broken));
	default:
		return EMUL_DT_GET(DT_NODELABEL(ft_touch));
	}
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
	const struct emul *target = touch_emul_target((int)atomic_get(&flood_target));

	ft5x06_emul_set_points(target, &p, 1);
	if (ft5x06_emul_raise_int(target) == 0) {
		atomic_inc(&flood_raised);
	}
}

/* Raises INT `n` times, every `period_us` microseconds, from the timer's interrupt. */
void touch_emul_flood(int which, uint32_t n, uint32_t period_us)
{
	k_timer_stop(&flood_timer);
	atomic_set(&flood_target, which);
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

#ifdef CONFIG_ARCH_POSIX
uint64_t touch_bench_host_ns(void); /* src/host_clock_bottom.c, in the runner */
#else
static uint64_t touch_bench_host_ns(void)
{
	return k_ticks_to_ns_floor64(k_uptime_ticks());
}
#endif

static uint64_t bench_t0;

/* Nanoseconds since the last touch_emul_bench_raise() (or touch_emul_bench_mark()). */
uint64_t touch_emul_bench_since_ns(void)
{
	return touch_bench_host_ns() - bench_t0;
}

void touch_emul_bench_mark(void)
{
	bench_t0 = touch_bench_host_ns();
}

#ifdef CONFIG_IRQ_OFFLOAD
#include <zephyr/irq_offload.h>

static void raise_offloaded(const void *target)
{
	ft5x06_emul_raise_int(target);
}
#endif

/*
 * Moves the contact of the chosen chip to (x, 100) (`down`: as a new contact), stamps the
 * time, and raises INT from interrupt context where the architecture allows it (irq_offload).
 */
void touch_emul_bench_raise(int which, uint16_t x, bool down)
{
	const struct emul *target = touch_emul_target(which);
	struct ft5x06_emul_point p = {
		.x = x,
		.y = 100,
		.id = 0,
		.event = down ? FT5X06_EMUL_EVENT_DOWN : FT5X06_EMUL_EVENT_CONTACT,
		.weight = 20,
	};

	ft5x06_emul_set_points(target, &p, 1);
	bench_t0 = touch_bench_host_ns();
#ifdef CONFIG_IRQ_OFFLOAD
	irq_offload(raise_offloaded, target);
#else
	ft5x06_emul_raise_int(target);
#endif
}

static int touch_emul_init(void)
{
	k_timer_init(&flood_timer, flood_tick, NULL);
	return 0;
}

SYS_INIT(touch_emul_init, APPLICATION, CONFIG_APPLICATION_INIT_PRIORITY);
