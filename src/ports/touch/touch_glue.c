/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The devicetree side of the `touch` port (src/port.rs), which only C macros can reach: the
 * table of `atomvm,touch-port` screens (include/atomvm_touch.h) and one input callback
 * registration per input-bridge screen. No code runs here.
 */
#define DT_DRV_COMPAT atomvm_touch_port

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/i2c.h>
#include <zephyr/input/input.h>
#include <zephyr/sys/util.h>

#include "include/atomvm_touch.h"

#define CONTROLLER(n) DT_INST_PHANDLE(n, controller)

/* A line of the port node, else of the controller node. */
#define LINE_NODE(n, prop) COND_CODE_1(DT_INST_NODE_HAS_PROP(n, prop), (DT_DRV_INST(n)), (CONTROLLER(n)))
#define HAS_LINE(n, prop) (DT_INST_NODE_HAS_PROP(n, prop) || DT_NODE_HAS_PROP(CONTROLLER(n), prop))

#define DRIVER_PATH(n)                                                                             \
	BUILD_ASSERT(IS_ENABLED(CONFIG_I2C) && IS_ENABLED(CONFIG_GPIO),                            \
		     "atomvm,touch-port without input-bridge needs CONFIG_I2C and CONFIG_GPIO");  \
	BUILD_ASSERT(HAS_LINE(n, int_gpios),                                                       \
		     "atomvm,touch-port: int-gpios on the port node or its controller");          \
	static const struct i2c_dt_spec i2c_##n = I2C_DT_SPEC_GET(CONTROLLER(n));                  \
	static const struct gpio_dt_spec int_##n = GPIO_DT_SPEC_GET(LINE_NODE(n, int_gpios),       \
								     int_gpios);                   \
	COND_CODE_1(DT_NODE_HAS_PROP(LINE_NODE(n, reset_gpios), reset_gpios),                      \
		    (static const struct gpio_dt_spec reset_##n =                                  \
			     GPIO_DT_SPEC_GET(LINE_NODE(n, reset_gpios), reset_gpios);),           \
		    ())

#define BRIDGE_PATH(n)                                                                             \
	BUILD_ASSERT(IS_ENABLED(CONFIG_ATOMVM_PORT_TOUCH_INPUT_BRIDGE),                            \
		     "atomvm,touch-port with input-bridge needs "                                  \
		     "CONFIG_ATOMVM_PORT_TOUCH_INPUT_BRIDGE");                                     \
	IF_ENABLED(CONFIG_ATOMVM_PORT_TOUCH_INPUT_BRIDGE,                                         \
		   (INPUT_CALLBACK_DEFINE_NAMED(DEVICE_DT_GET(CONTROLLER(n)), atomvm_touch_input,  \
						(void *)(uintptr_t)n, atomvm_touch_##n);))

#define SCREEN(n)                                                                                  \
	COND_CODE_1(DT_INST_PROP(n, input_bridge), (BRIDGE_PATH(n)), (DRIVER_PATH(n)))            \
	static const char *const labels_##n[] = DT_NODELABEL_STRING_ARRAY(DT_DRV_INST(n));

DT_INST_FOREACH_STATUS_OKAY(SCREEN)

#define DRIVER_SPECS(n)                                                                            \
	.i2c = &i2c_##n, .int_gpio = &int_##n,                                                     \
	.reset_gpio = COND_CODE_1(DT_NODE_HAS_PROP(LINE_NODE(n, reset_gpios), reset_gpios),        \
				  (&reset_##n), (NULL)),

#define SCREEN_ENTRY(n)                                                                            \
	[n] = {                                                                                    \
		.name = DT_NODE_FULL_NAME(DT_DRV_INST(n)),                                         \
		.labels = labels_##n,                                                              \
		.n_labels = ARRAY_SIZE(labels_##n),                                                \
		COND_CODE_1(DT_INST_PROP(n, input_bridge),                                         \
			    (.controller = DEVICE_DT_GET(CONTROLLER(n)),), (DRIVER_SPECS(n)))      \
		.screen_width = DT_INST_PROP_OR(n, screen_width, 0),                               \
		.screen_height = DT_INST_PROP_OR(n, screen_height, 0),                             \
		.swapped_x_y = DT_INST_PROP(n, swapped_x_y),                                       \
		.inverted_x = DT_INST_PROP(n, inverted_x),                                         \
		.inverted_y = DT_INST_PROP(n, inverted_y),                                         \
		.input_bridge = DT_INST_PROP(n, input_bridge),                                     \
	},

const struct atomvm_touch_screen atomvm_touch_screens[] = {
	DT_INST_FOREACH_STATUS_OKAY(SCREEN_ENTRY)};

BUILD_ASSERT(ARRAY_SIZE(atomvm_touch_screens) == ATOMVM_TOUCH_INSTANCES);

#if DT_HAS_CHOSEN(atomvm_touch)
#define DEFAULT_NODE DT_CHOSEN(atomvm_touch)
BUILD_ASSERT(DT_NODE_HAS_COMPAT(DEFAULT_NODE, atomvm_touch_port),
	     "chosen atomvm,touch must be an atomvm,touch-port node");
#define IS_DEFAULT(n) (DT_SAME_NODE(DT_DRV_INST(n), DEFAULT_NODE) ? n : 0) +
const size_t atomvm_touch_default = DT_INST_FOREACH_STATUS_OKAY(IS_DEFAULT) 0;
#else
const size_t atomvm_touch_default;
#endif
