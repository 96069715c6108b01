/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The devicetree and device side of the `display` port (src/port.rs): which display, which
 * backlight, and the Zephyr display/LED calls. Devicetree is resolved at build time here,
 * in C, where its macros live.
 *
 * The display is the first `atomvm,display-port` node's `display` (with its optional
 * `backlight` LED and `backlight-led` index), else the `zephyr,display` chosen node, whose
 * brightness API then serves as the backlight.
 */
#include <errno.h>
#include <stdbool.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/display.h>
#ifdef CONFIG_LED
#include <zephyr/drivers/led.h>
#endif

#define PORT_NODE DT_COMPAT_GET_ANY_STATUS_OKAY(atomvm_display_port)

#if DT_NODE_EXISTS(PORT_NODE)
#define DISPLAY_NODE DT_PHANDLE(PORT_NODE, display)
#if DT_NODE_HAS_PROP(PORT_NODE, backlight)
#define BACKLIGHT_NODE DT_PHANDLE(PORT_NODE, backlight)
#define BACKLIGHT_LED DT_PROP(PORT_NODE, backlight_led)
#endif
#elif DT_HAS_CHOSEN(zephyr_display)
#define DISPLAY_NODE DT_CHOSEN(zephyr_display)
#endif

#if defined(BACKLIGHT_NODE) && !defined(CONFIG_LED)
#error "the display port's backlight is an LED device: enable CONFIG_LED"
#endif

struct atomvm_display_info {
	uint16_t width;
	uint16_t height;
	uint32_t pixel_formats;
	uint32_t current_format;
	bool has_backlight;
};

static const struct device *display(void)
{
#ifdef DISPLAY_NODE
	const struct device *dev = DEVICE_DT_GET(DISPLAY_NODE);

	return device_is_ready(dev) ? dev : NULL;
#else
	return NULL;
#endif
}

int atomvm_display_get_info(struct atomvm_display_info *info)
{
	const struct device *dev = display();
	struct display_capabilities caps;

	if (dev == NULL) {
		return -ENODEV;
	}
	display_get_capabilities(dev, &caps);
	info->width = caps.x_resolution;
	info->height = caps.y_resolution;
	info->pixel_formats = caps.supported_pixel_formats;
	info->current_format = caps.current_pixel_format;
#ifdef BACKLIGHT_NODE
	info->has_backlight = device_is_ready(DEVICE_DT_GET(BACKLIGHT_NODE));
#else
	/* The display's own brightness control, when its driver has one (LTDC, for one, does not). */
	info->has_backlight = DEVICE_API_GET(display, dev)->set_brightness != NULL;
#endif
	return 0;
}

int atomvm_display_set_pixel_format(uint32_t format)
{
	const struct device *dev = display();

	return dev == NULL ? -ENODEV : display_set_pixel_format(dev, format);
}

int atomvm_display_set_orientation(uint8_t orientation)
{
	const struct device *dev = display();

	if (dev == NULL) {
		return -ENODEV;
	}
	int rc = display_set_orientation(dev, (enum display_orientation)orientation);

	/* Drivers without rotation: the application rotates in software. */
	return (rc == -ENOSYS || rc == -ENOTSUP) ? 1 : rc;
}

int atomvm_display_set_backlight(uint8_t level, uint8_t percent)
{
#ifdef BACKLIGHT_NODE
	ARG_UNUSED(level);
	return led_set_brightness(DEVICE_DT_GET(BACKLIGHT_NODE), BACKLIGHT_LED, percent);
#else
	ARG_UNUSED(percent);
	const struct device *dev = display();

	if (dev == NULL) {
		return -ENODEV;
	}
	int rc = display_set_brightness(dev, level);

	return rc == -ENOSYS ? -ENOTSUP : rc;
#endif
}
