/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The devicetree and kernel side of the `touch` port (src/port.rs), resolved at build time.
 *
 * Every `atomvm,touch-port` node is an entry of `screens`: its names (node labels and node
 * name, for the open option {device, Name}), the controller, and either the FT5x06 path (the
 * controller's I2C spec, INT and reset lines, touchscreen-common properties) or the input
 * bridge (the controller's device, whose input events are forwarded). One screen is selected
 * at a time: the port is single-instance.
 *
 * Also here, for the Rust side: the INT GPIO callback (ISR context: only the wait-free
 * atomvm_touch_isr), the input callback (only the wait-free atomvm_touch_input), the drain
 * thread (CONFIG_ATOMVM_PORT_TOUCH_DRAIN_PRIORITY / _STACK_SIZE, body atomvm_touch_drain_main),
 * its semaphore and the mutex over the port's shared state.
 */
#define DT_DRV_COMPAT atomvm_touch_port

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/i2c.h>
#include <zephyr/input/input.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/atomic.h>
#include <zephyr/sys/util.h>

LOG_MODULE_REGISTER(atomvm_touch, CONFIG_ATOMVM_PORTS_LOG_LEVEL);

/* Shared with src/port.rs (glue::Info). */
struct atomvm_touch_info {
	uint16_t screen_width;
	uint16_t screen_height;
	bool swapped_x_y;
	bool inverted_x;
	bool inverted_y;
	bool input_bridge;
	uint16_t addr;
};

void atomvm_touch_isr(uint64_t timestamp_us);
void atomvm_touch_input(uint8_t type, uint16_t code, int32_t value, bool sync,
			uint64_t timestamp_us);
void atomvm_touch_drain_main(void);

struct screen {
	const char *name;
	const char *const *labels;
	size_t n_labels;
	struct atomvm_touch_info info;
	const struct device *controller; /* input-bridge screens only */
#ifdef CONFIG_I2C
	struct i2c_dt_spec i2c;
#endif
#ifdef CONFIG_GPIO
	struct gpio_dt_spec int_gpio;
	struct gpio_dt_spec reset_gpio;
#endif
};

#define CONTROLLER(n) DT_INST_PHANDLE(n, controller)

/* A line of the port node, else of the controller node, else none. */
#define LINE(n, prop)                                                                              \
	COND_CODE_1(DT_INST_NODE_HAS_PROP(n, prop), (GPIO_DT_SPEC_INST_GET(n, prop)),              \
		    (GPIO_DT_SPEC_GET_OR(CONTROLLER(n), prop, {0})))

#define DRIVER_PATH(n)                                                                             \
	BUILD_ASSERT(IS_ENABLED(CONFIG_I2C) && IS_ENABLED(CONFIG_GPIO),                            \
		     "atomvm,touch-port without input-bridge needs CONFIG_I2C and CONFIG_GPIO");  \
	BUILD_ASSERT(DT_INST_NODE_HAS_PROP(n, int_gpios) ||                                        \
			     DT_NODE_HAS_PROP(CONTROLLER(n), int_gpios),                           \
		     "atomvm,touch-port: int-gpios on the port node or its controller");

#define BRIDGE_PATH(n)                                                                             \
	BUILD_ASSERT(IS_ENABLED(CONFIG_ATOMVM_PORT_TOUCH_INPUT_BRIDGE),                            \
		     "atomvm,touch-port with input-bridge needs "                                  \
		     "CONFIG_ATOMVM_PORT_TOUCH_INPUT_BRIDGE");

#define SCREEN(n)                                                                                  \
	COND_CODE_1(DT_INST_PROP(n, input_bridge), (BRIDGE_PATH(n)), (DRIVER_PATH(n)))            \
	static const char *const labels_##n[] = DT_NODELABEL_STRING_ARRAY(DT_DRV_INST(n));

DT_INST_FOREACH_STATUS_OKAY(SCREEN)

#define SCREEN_ENTRY(n)                                                                            \
	{                                                                                          \
		.name = DT_NODE_FULL_NAME(DT_DRV_INST(n)),                                         \
		.labels = labels_##n,                                                              \
		.n_labels = ARRAY_SIZE(labels_##n),                                                \
		.info =                                                                            \
			{                                                                          \
				.screen_width = DT_INST_PROP_OR(n, screen_width, 0),               \
				.screen_height = DT_INST_PROP_OR(n, screen_height, 0),             \
				.swapped_x_y = DT_INST_PROP(n, swapped_x_y),                       \
				.inverted_x = DT_INST_PROP(n, inverted_x),                         \
				.inverted_y = DT_INST_PROP(n, inverted_y),                         \
				.input_bridge = DT_INST_PROP(n, input_bridge),                     \
				.addr = COND_CODE_1(DT_INST_PROP(n, input_bridge), (0),            \
						    (DT_REG_ADDR(CONTROLLER(n)))),                 \
			},                                                                         \
		/* Only a bridge needs a device: the Rust driver only needs the node's bus. */      \
		.controller = COND_CODE_1(DT_INST_PROP(n, input_bridge),                            \
					  (DEVICE_DT_GET(CONTROLLER(n))), (NULL)),                  \
		IF_ENABLED(CONFIG_I2C, (.i2c = COND_CODE_1(DT_INST_PROP(n, input_bridge), ({0}),   \
						       (I2C_DT_SPEC_GET(CONTROLLER(n)))),))       \
		IF_ENABLED(CONFIG_GPIO, (.int_gpio = COND_CODE_1(DT_INST_PROP(n, input_bridge),    \
								 ({0}), (LINE(n, int_gpios))),     \
					 .reset_gpio = COND_CODE_1(DT_INST_PROP(n, input_bridge),  \
								   ({0}),                          \
								   (LINE(n, reset_gpios))),))      \
	},

static const struct screen screens[] = {DT_INST_FOREACH_STATUS_OKAY(SCREEN_ENTRY)};

#if DT_HAS_CHOSEN(atomvm_touch)
#define DEFAULT_NODE DT_CHOSEN(atomvm_touch)
BUILD_ASSERT(DT_NODE_HAS_COMPAT(DEFAULT_NODE, atomvm_touch_port),
	     "chosen atomvm,touch must be an atomvm,touch-port node");
#define IS_DEFAULT(n) (DT_SAME_NODE(DT_DRV_INST(n), DEFAULT_NODE) ? n : 0) +
/* Instance numbers are the indices of `screens`. */
static const size_t default_screen = DT_INST_FOREACH_STATUS_OKAY(IS_DEFAULT) 0;
#else
static const size_t default_screen;
#endif

/* The screen a port has open (struct screen *), or NULL. Written on the VM thread, read by
 * the callbacks and the drain thread.
 */
static atomic_ptr_t selected;

static const struct screen *selected_screen(void)
{
	return atomic_ptr_get(&selected);
}
static atomic_t reset_done;
K_SEM_DEFINE(atomvm_touch_sem, 0, 1);
K_MUTEX_DEFINE(atomvm_touch_mutex);

#ifdef CONFIG_GPIO
static struct gpio_callback int_cb;
static atomic_t int_enabled;

static void int_fired(const struct device *port, struct gpio_callback *cb, gpio_port_pins_t pins)
{
	ARG_UNUSED(port);
	ARG_UNUSED(cb);
	ARG_UNUSED(pins);
	/* Only while a port is open (gpio-emul, for one, also runs callbacks when a pin is
	 * configured).
	 */
	if (atomic_get(&int_enabled)) {
		atomvm_touch_isr(k_ticks_to_us_floor64(k_uptime_ticks()));
	}
}

/* Holds the controller in reset (its reset line active) for 5 ms, the FT5x06's minimum. */
static void pulse_reset(const struct gpio_dt_spec *reset)
{
	if (reset->port == NULL) {
		return;
	}
	if (gpio_pin_configure_dt(reset, GPIO_OUTPUT_ACTIVE) == 0) {
		k_msleep(5);
		gpio_pin_set_dt(reset, 0);
		/* The chip's firmware needs time before it answers on I2C. */
		k_msleep(CONFIG_ATOMVM_PORT_TOUCH_RESET_WAIT_MS);
	} else {
		LOG_WRN("touch: reset line not configurable");
	}
}
#endif

static bool same(const char *a, const char *name, size_t len)
{
	return strlen(a) == len && memcmp(a, name, len) == 0;
}

static bool name_matches(const struct screen *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->n_labels; i++) {
		if (same(s->labels[i], name, len)) {
			return true;
		}
	}
	return same(s->name, name, len);
}

/*
 * Selects the screen named `name` (`len` bytes; NULL: the default one) and fills `info`.
 * 0, -ENOENT (no such screen), -ENODEV (its devices are not ready).
 */
int atomvm_touch_select(const char *name, size_t len, struct atomvm_touch_info *info)
{
	const struct screen *s = NULL;

	if (ARRAY_SIZE(screens) == 0) {
		return -ENOENT;
	}
	if (name == NULL) {
		s = &screens[default_screen];
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(screens); i++) {
			if (name_matches(&screens[i], name, len)) {
				s = &screens[i];
				break;
			}
		}
	}
	if (s == NULL) {
		return -ENOENT;
	}
	if (s->controller != NULL && !device_is_ready(s->controller)) {
		return -ENODEV;
	}
#if defined(CONFIG_I2C) && defined(CONFIG_GPIO)
	if (!s->info.input_bridge) {
		if (!i2c_is_ready_dt(&s->i2c) || !gpio_is_ready_dt(&s->int_gpio)) {
			return -ENODEV;
		}
		size_t bit = s - screens;

		if (!atomic_test_and_set_bit(&reset_done, bit)) {
			pulse_reset(&s->reset_gpio);
		}
	}
#endif
	*info = s->info;
	atomic_ptr_set(&selected, (void *)s);
	return 0;
}

#ifdef CONFIG_ATOMVM_PORT_TOUCH_INPUT_BRIDGE
static atomic_t bridge_enabled;

static void bridge_event(struct input_event *evt, void *user_data)
{
	ARG_UNUSED(user_data);
	const struct screen *s = selected_screen();

	if (!atomic_get(&bridge_enabled) || s == NULL || !s->info.input_bridge ||
	    evt->dev != s->controller) {
		return;
	}
	atomvm_touch_input(evt->type, evt->code, evt->value, evt->sync,
			   k_ticks_to_us_floor64(k_uptime_ticks()));
}

INPUT_CALLBACK_DEFINE(NULL, bridge_event, NULL);
#endif

/* Starts (`true`) or stops the selected screen's events: its INT interrupt, or the bridge. */
int atomvm_touch_enable(bool on)
{
	const struct screen *s = selected_screen();

	if (s == NULL) {
		return -ENODEV;
	}
	if (s->info.input_bridge) {
#ifdef CONFIG_ATOMVM_PORT_TOUCH_INPUT_BRIDGE
		atomic_set(&bridge_enabled, on ? 1 : 0);
		return 0;
#else
		return -ENOTSUP;
#endif
	}
#ifdef CONFIG_GPIO
	int rc;

	if (!on) {
		atomic_set(&int_enabled, 0);
		rc = gpio_pin_interrupt_configure_dt(&s->int_gpio, GPIO_INT_DISABLE);
		gpio_remove_callback_dt(&s->int_gpio, &int_cb);
		return rc;
	}
	rc = gpio_pin_configure_dt(&s->int_gpio, GPIO_INPUT);
	if (rc != 0) {
		return rc;
	}
	gpio_init_callback(&int_cb, int_fired, BIT(s->int_gpio.pin));
	rc = gpio_add_callback_dt(&s->int_gpio, &int_cb);
	if (rc != 0) {
		return rc;
	}
	atomic_set(&int_enabled, 1);
	rc = gpio_pin_interrupt_configure_dt(&s->int_gpio, GPIO_INT_EDGE_TO_ACTIVE);
	if (rc != 0) {
		atomic_set(&int_enabled, 0);
		gpio_remove_callback_dt(&s->int_gpio, &int_cb);
	}
	return rc;
#else
	return -ENOTSUP;
#endif
}

/* One I2C transfer to the selected controller: write `w` then read `r` (either may be empty). */
int atomvm_touch_i2c(const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen)
{
#ifdef CONFIG_I2C
	const struct screen *s = selected_screen();

	if (s == NULL || s->info.input_bridge) {
		return -ENODEV;
	}
	if (wlen > 0 && rlen > 0) {
		return i2c_write_read_dt(&s->i2c, w, wlen, r, rlen);
	}
	if (wlen > 0) {
		return i2c_write_dt(&s->i2c, w, wlen);
	}
	if (rlen > 0) {
		return i2c_read_dt(&s->i2c, r, rlen);
	}
	return 0;
#else
	ARG_UNUSED(w);
	ARG_UNUSED(wlen);
	ARG_UNUSED(r);
	ARG_UNUSED(rlen);
	return -ENOTSUP;
#endif
}

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

static void drain_entry(void *a, void *b, void *c)
{
	ARG_UNUSED(a);
	ARG_UNUSED(b);
	ARG_UNUSED(c);
	atomvm_touch_drain_main();
}

K_THREAD_DEFINE(atomvm_touch_drain, CONFIG_ATOMVM_PORT_TOUCH_DRAIN_STACK_SIZE, drain_entry, NULL,
		NULL, NULL, CONFIG_ATOMVM_PORT_TOUCH_DRAIN_PRIORITY, 0, 0);
