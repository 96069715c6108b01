/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The devicetree and device side of the `display` port (include/atomvm_display.h): which
 * display, which backlight, and the Zephyr display/LED calls (static inline functions).
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

#include <atomvm_display.h>

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

static const struct device *display(void)
{
#ifdef DISPLAY_NODE
	const struct device *dev = DEVICE_DT_GET(DISPLAY_NODE);

	return device_is_ready(dev) ? dev : NULL;
#else
	return NULL;
#endif
}

/* A Zephyr API's result as a status. */
static int status(int rc)
{
	switch (rc) {
	case 0:
		return ATOMVM_DISPLAY_OK;
	case -ENOSYS:
	case -ENOTSUP:
		return ATOMVM_DISPLAY_NOT_SUPPORTED;
	case -ENODEV:
		return ATOMVM_DISPLAY_NO_DEVICE;
	default:
		return ATOMVM_DISPLAY_IO;
	}
}

int atomvm_display_get_info(struct atomvm_display_info *info)
{
	const struct device *dev = display();
	struct display_capabilities caps;

	if (dev == NULL) {
		return ATOMVM_DISPLAY_NO_DEVICE;
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
	return ATOMVM_DISPLAY_OK;
}

int atomvm_display_set_pixel_format(uint32_t format)
{
	const struct device *dev = display();

	return dev == NULL ? ATOMVM_DISPLAY_NO_DEVICE
			   : status(display_set_pixel_format(dev, (enum display_pixel_format)format));
}

int atomvm_display_set_orientation(uint8_t orientation)
{
	const struct device *dev = display();

	if (dev == NULL) {
		return ATOMVM_DISPLAY_NO_DEVICE;
	}
	int rc = status(display_set_orientation(dev, (enum display_orientation)orientation));

	/* Drivers without rotation: the application rotates in software. */
	return rc == ATOMVM_DISPLAY_NOT_SUPPORTED ? ATOMVM_DISPLAY_SOFTWARE_ROTATION : rc;
}

int atomvm_display_set_backlight(uint8_t level, uint8_t percent)
{
#ifdef BACKLIGHT_NODE
	ARG_UNUSED(level);
	return status(led_set_brightness(DEVICE_DT_GET(BACKLIGHT_NODE), BACKLIGHT_LED, percent));
#else
	ARG_UNUSED(percent);
	const struct device *dev = display();

	return dev == NULL ? ATOMVM_DISPLAY_NO_DEVICE : status(display_set_brightness(dev, level));
#endif
}
