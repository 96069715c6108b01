/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The `display` port's C <-> Rust interface, read by display_glue.c and, through bindgen,
 * by the Rust side (build.rs): the one declaration of each type, function and status.
 *
 * The glue is C because the display and its backlight are chosen with devicetree macros
 * (the first `atomvm,display-port` node, else the `zephyr,display` chosen node) and Zephyr's
 * display and LED APIs are static inline functions; it turns their errnos, which depend on
 * the C library, into the statuses below.
 */
#ifndef ATOMVM_DISPLAY_H_
#define ATOMVM_DISPLAY_H_

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What the glue functions return. */
enum atomvm_display_status {
	ATOMVM_DISPLAY_OK = 0,
	/** set_orientation: the controller cannot rotate; the application rotates. */
	ATOMVM_DISPLAY_SOFTWARE_ROTATION = 1,
	/** No display selected in devicetree, or its device is not ready. */
	ATOMVM_DISPLAY_NO_DEVICE = -1,
	/** The driver does not support the request (pixel format, brightness). */
	ATOMVM_DISPLAY_NOT_SUPPORTED = -2,
	/** The device failed. */
	ATOMVM_DISPLAY_IO = -3,
};

/** The selected display. */
struct atomvm_display_info {
	uint16_t width;
	uint16_t height;
	/** Zephyr's PIXEL_FORMAT_* bits the driver supports. */
	uint32_t pixel_formats;
	/** The PIXEL_FORMAT_* bit in use. */
	uint32_t current_format;
	/** An LED backlight is ready, or the display driver has a brightness API. */
	bool has_backlight;
};

/** Fills @p info: ATOMVM_DISPLAY_OK or ATOMVM_DISPLAY_NO_DEVICE. */
int atomvm_display_get_info(struct atomvm_display_info *info);

/** Switches to PIXEL_FORMAT_* bit @p format. */
int atomvm_display_set_pixel_format(uint32_t format);

/**
 * Zephyr's orientation 0..3 (0, 90, 180, 270 degrees): ATOMVM_DISPLAY_OK when the controller
 * rotated, ATOMVM_DISPLAY_SOFTWARE_ROTATION when it cannot.
 */
int atomvm_display_set_orientation(uint8_t orientation);

/** Backlight @p level 0..255 (the display's brightness API), @p percent 0..100 (an LED). */
int atomvm_display_set_backlight(uint8_t level, uint8_t percent);

#ifdef __cplusplus
}
#endif

#endif /* ATOMVM_DISPLAY_H_ */
