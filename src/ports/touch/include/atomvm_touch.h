/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The C <-> Rust interface of the `touch` port, declared once: touch_glue.c defines the table,
 * the port crate's build.rs runs bindgen over this header (so the Rust side has the same
 * types and the instance count as a constant).
 *
 * Only what Zephyr offers as macros alone lives in C: the devicetree instance table (names,
 * specs, touchscreen-common properties, the chosen screen) and the input callbacks
 * (INPUT_CALLBACK_DEFINE_NAMED, one per input-bridge screen). Everything else (threads,
 * semaphores, I2C, GPIO interrupts, the input callback's body) is Rust.
 */

#ifndef ATOMVM_TOUCH_H_
#define ATOMVM_TOUCH_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/devicetree.h>

struct device;
struct i2c_dt_spec;
struct gpio_dt_spec;
struct input_event;

/* One `atomvm,touch-port` node (a screen). Instance n of the compatible is entry n. */
struct atomvm_touch_screen {
	/* The node name (e.g. "touch-port") and its node labels, for {device, Name}. */
	const char *name;
	const char *const *labels;
	size_t n_labels;
	/* input-bridge: the controller's Zephyr input device; NULL on the driver path. */
	const struct device *controller;
	/* Driver path: the controller's I2C spec and INT line; NULL with input-bridge. */
	const struct i2c_dt_spec *i2c;
	const struct gpio_dt_spec *int_gpio;
	/* reset-gpios (port node, else controller node), NULL without. */
	const struct gpio_dt_spec *reset_gpio;
	/* touchscreen-common. */
	uint16_t screen_width;
	uint16_t screen_height;
	bool swapped_x_y;
	bool inverted_x;
	bool inverted_y;
	bool input_bridge;
};

/* The number of screens, a constant bindgen evaluates (Rust sizes its static arrays by it). */
enum atomvm_touch_consts {
	ATOMVM_TOUCH_INSTANCES = DT_NUM_INST_STATUS_OKAY(atomvm_touch_port),
};

extern const struct atomvm_touch_screen atomvm_touch_screens[];
/* Index of the default screen: the chosen atomvm,touch, else 0. */
extern const size_t atomvm_touch_default;

/*
 * Rust (src/port): the input callback of the input-bridge screens, registered by the glue
 * for each such screen's controller; user_data is the screen's index.
 */
void atomvm_touch_input(struct input_event *evt, void *user_data);

#endif /* ATOMVM_TOUCH_H_ */
