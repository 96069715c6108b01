/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The `display` port's C <-> Rust interface, read by display_glue.c and, through bindgen, by
 * the Rust side (build.rs): which devices devicetree selects. C does only that, because
 * devicetree is macros; the Rust side calls Zephyr's display and LED APIs itself (through
 * zephyr-hal's bindings).
 */
#ifndef ATOMVM_DISPLAY_H_
#define ATOMVM_DISPLAY_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct device;

/** The devices of the display port. */
struct atomvm_display_devices {
	/**
	 * The first `atomvm,display-port` node's `display`, else the `zephyr,display` chosen
	 * node; NULL when devicetree selects none (ready or not: the caller checks).
	 */
	const struct device *display;
	/** The port node's `backlight` LED controller, or NULL (then the display's brightness). */
	const struct device *backlight;
	/** The port node's `backlight-led` index on that controller. */
	uint32_t backlight_led;
};

/** Fills @p out. */
void atomvm_display_devices(struct atomvm_display_devices *out);

#ifdef __cplusplus
}
#endif

#endif /* ATOMVM_DISPLAY_H_ */
