/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The devicetree and kernel side of the `touch` port (src/port.rs). Resolved at build time:
 * the first `atomvm,touch-port` node gives the controller (phandle `controller`, an I2C
 * device), the INT line (`int-gpios`) and the touchscreen-common properties.
 *
 * Also here: the INT GPIO callback (ISR context: only the wait-free Rust
 * atomvm_touch_isr), the drain thread's semaphore and thread (priority
 * CONFIG_ATOMVM_PORTS_DRAIN_THREAD_PRIORITY, stack CONFIG_ATOMVM_PORTS_DRAIN_THREAD_STACK_SIZE,
 * body atomvm_touch_drain_main in Rust) and the mutex over the port's shared state.
 */
#include <errno.h>
#include <stdbool.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/i2c.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/atomic.h>

#define PORT_NODE DT_COMPAT_GET_ANY_STATUS_OKAY(atomvm_touch_port)

struct atomvm_touch_info {
	uint16_t screen_width;
	uint16_t screen_height;
	bool swapped_x_y;
	bool inverted_x;
	bool inverted_y;
	uint16_t addr;
};

void atomvm_touch_isr(uint64_t timestamp_us);
void atomvm_touch_drain_main(void);

K_SEM_DEFINE(atomvm_touch_sem, 0, 1);
K_MUTEX_DEFINE(atomvm_touch_mutex);

#if DT_NODE_EXISTS(PORT_NODE)
#define CONTROLLER_NODE DT_PHANDLE(PORT_NODE, controller)

const struct i2c_dt_spec atomvm_touch_i2c_spec = I2C_DT_SPEC_GET(CONTROLLER_NODE);
const struct gpio_dt_spec atomvm_touch_int_spec = GPIO_DT_SPEC_GET(PORT_NODE, int_gpios);
const struct atomvm_touch_info atomvm_touch_config = {
	.screen_width = DT_PROP(PORT_NODE, screen_width),
	.screen_height = DT_PROP(PORT_NODE, screen_height),
	.swapped_x_y = DT_PROP(PORT_NODE, swapped_x_y),
	.inverted_x = DT_PROP(PORT_NODE, inverted_x),
	.inverted_y = DT_PROP(PORT_NODE, inverted_y),
	.addr = DT_REG_ADDR(CONTROLLER_NODE),
};

static struct gpio_callback int_cb;
static bool int_configured;
static atomic_t int_enabled;

static void int_fired(const struct device *port, struct gpio_callback *cb, gpio_port_pins_t pins)
{
	ARG_UNUSED(port);
	ARG_UNUSED(cb);
	ARG_UNUSED(pins);
	/* Only while a port is open (some controllers, gpio-emul for one, also run callbacks
	 * when a pin is configured).
	 */
	if (atomic_get(&int_enabled)) {
		atomvm_touch_isr(k_ticks_to_us_floor64(k_uptime_ticks()));
	}
}

int atomvm_touch_get_info(struct atomvm_touch_info *info)
{
	if (!i2c_is_ready_dt(&atomvm_touch_i2c_spec) || !gpio_is_ready_dt(&atomvm_touch_int_spec)) {
		return -ENODEV;
	}
	*info = atomvm_touch_config;
	return 0;
}

int atomvm_touch_enable_int(bool on)
{
	int rc;

	if (!on) {
		atomic_set(&int_enabled, 0);
		return gpio_pin_interrupt_configure_dt(&atomvm_touch_int_spec, GPIO_INT_DISABLE);
	}
	/* The pin and the callback once: reconfiguring the pin could itself look like an edge. */
	if (!int_configured) {
		rc = gpio_pin_configure_dt(&atomvm_touch_int_spec, GPIO_INPUT);
		if (rc != 0) {
			return rc;
		}
		gpio_init_callback(&int_cb, int_fired, BIT(atomvm_touch_int_spec.pin));
		rc = gpio_add_callback_dt(&atomvm_touch_int_spec, &int_cb);
		if (rc != 0) {
			return rc;
		}
		int_configured = true;
	}
	atomic_set(&int_enabled, 1);
	rc = gpio_pin_interrupt_configure_dt(&atomvm_touch_int_spec, GPIO_INT_EDGE_TO_ACTIVE);
	if (rc != 0) {
		atomic_set(&int_enabled, 0);
	}
	return rc;
}

int atomvm_touch_i2c(const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen)
{
	if (wlen > 0 && rlen > 0) {
		return i2c_write_read_dt(&atomvm_touch_i2c_spec, w, wlen, r, rlen);
	}
	if (wlen > 0) {
		return i2c_write_dt(&atomvm_touch_i2c_spec, w, wlen);
	}
	if (rlen > 0) {
		return i2c_read_dt(&atomvm_touch_i2c_spec, r, rlen);
	}
	return 0;
}
#else
int atomvm_touch_get_info(struct atomvm_touch_info *info)
{
	ARG_UNUSED(info);
	return -ENODEV;
}

int atomvm_touch_enable_int(bool on)
{
	ARG_UNUSED(on);
	return -ENODEV;
}

int atomvm_touch_i2c(const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen)
{
	ARG_UNUSED(w);
	ARG_UNUSED(wlen);
	ARG_UNUSED(r);
	ARG_UNUSED(rlen);
	return -ENODEV;
}
#endif

void atomvm_touch_wake(void)
{
	k_sem_give(&atomvm_touch_sem);
}

void atomvm_touch_wait(void)
{
	k_sem_take(&atomvm_touch_sem, K_FOREVER);
}

void atomvm_touch_lock(void)
{
	k_mutex_lock(&atomvm_touch_mutex, K_FOREVER);
}

void atomvm_touch_unlock(void)
{
	k_mutex_unlock(&atomvm_touch_mutex);
}

void atomvm_touch_sleep_us(uint32_t us)
{
	k_usleep((int32_t)us);
}

static void drain_entry(void *a, void *b, void *c)
{
	ARG_UNUSED(a);
	ARG_UNUSED(b);
	ARG_UNUSED(c);
	atomvm_touch_drain_main();
}

K_THREAD_DEFINE(atomvm_touch_drain, CONFIG_ATOMVM_PORTS_DRAIN_THREAD_STACK_SIZE, drain_entry, NULL,
		NULL, NULL, CONFIG_ATOMVM_PORTS_DRAIN_THREAD_PRIORITY, 0, 0);
