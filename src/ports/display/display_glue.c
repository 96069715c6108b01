/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The `display` port's devicetree selection (include/atomvm_display.h), the one thing Zephyr
 * offers only as macros: the first `atomvm,display-port` node's `display` (with its optional
 * `backlight` LED and `backlight-led` index), else the `zephyr,display` chosen node, whose
 * brightness API then serves as the backlight. Everything else is Rust (src/port.rs).
 */
#include <zephyr/device.h>
#include <zephyr/devicetree.h>

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

void atomvm_display_devices(struct atomvm_display_devices *out)
{
	*out = (struct atomvm_display_devices){
#ifdef DISPLAY_NODE
		.display = DEVICE_DT_GET(DISPLAY_NODE),
#endif
#ifdef BACKLIGHT_NODE
		.backlight = DEVICE_DT_GET(BACKLIGHT_NODE),
		.backlight_led = BACKLIGHT_LED,
#endif
	};
}
