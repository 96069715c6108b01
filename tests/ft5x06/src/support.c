/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * C helpers the Rust tests call (all prefixed ft_test_): the emulator instance, raising INT
 * from interrupt context (a k_timer), and counting the INT interrupts the GPIO controller
 * delivers (a gpio_callback on the INT pin, next to the one zephyr-hal's Wait adds).
 */

#include <stdbool.h>

#include <zephyr/device.h>
#include <zephyr/drivers/emul.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/init.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/atomic.h>

#include <atomvm_ports/ft5x06_emul.h>

#define TOUCH_NODE DT_NODELABEL(ft_touch)

static const struct gpio_dt_spec int_gpio = GPIO_DT_SPEC_GET(TOUCH_NODE, int_gpios);
static struct gpio_callback int_cb;
static atomic_t int_count;
static atomic_t raise_count;
static struct k_timer raise_timer;

const struct emul *ft_test_emul(void)
{
	return EMUL_DT_GET(TOUCH_NODE);
}

static void raise_expired(struct k_timer *timer)
{
	ARG_UNUSED(timer);
	if (ft5x06_emul_raise_int(ft_test_emul()) == 0) {
		atomic_inc(&raise_count);
	}
}

/* Raises INT from the timer's interrupt after `ms` milliseconds. */
void ft_test_raise_later(int ms)
{
	k_timer_start(&raise_timer, K_MSEC(ms), K_NO_WAIT);
}

/* The touch pipeline's ISR body (src/lib.rs): a wait-free push while its case runs. */
void ft_test_on_int(uint64_t timestamp_us);

static void int_fired(const struct device *port, struct gpio_callback *cb, gpio_port_pins_t pins)
{
	ARG_UNUSED(port);
	ARG_UNUSED(cb);
	ARG_UNUSED(pins);
	atomic_inc(&int_count);
	ft_test_on_int(k_ticks_to_us_floor64(k_uptime_ticks()));
}

/* Arms (or disarms) the INT interrupt, edge to active, as the touch port does. */
int ft_test_int_enable(bool on)
{
	return gpio_pin_interrupt_configure_dt(&int_gpio,
					       on ? GPIO_INT_EDGE_TO_ACTIVE : GPIO_INT_DISABLE);
}

uint32_t ft_test_int_count(void)
{
	return (uint32_t)atomic_get(&int_count);
}

uint32_t ft_test_raise_count(void)
{
	return (uint32_t)atomic_get(&raise_count);
}

void ft_test_reset_counts(void)
{
	atomic_set(&int_count, 0);
	atomic_set(&raise_count, 0);
	ft5x06_emul_reset_counters(ft_test_emul());
}

static int ft_test_init(void)
{
	k_timer_init(&raise_timer, raise_expired, NULL);
	gpio_init_callback(&int_cb, int_fired, BIT(int_gpio.pin));
	return gpio_add_callback_dt(&int_gpio, &int_cb);
}

SYS_INIT(ft_test_init, APPLICATION, CONFIG_APPLICATION_INIT_PRIORITY);
