/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The rtc scenario: before the platform layer seeds the wall clock (SYS_INIT at
 * CONFIG_APPLICATION_INIT_PRIORITY), give native_sim's emulated RTC (the devicetree alias
 * `rtc`, a zephyr,rtc-emul) a time, as a battery-backed RTC holds one at power-on:
 * 2030-01-02 03:04:05 UTC. platform_test checks the wall clock starts from it.
 */
#include <zephyr/device.h>
#include <zephyr/drivers/rtc.h>
#include <zephyr/init.h>
#include <zephyr/sys/printk.h>

static int rtc_preset(void)
{
	const struct device *rtc = DEVICE_DT_GET(DT_ALIAS(rtc));
	struct rtc_time t = {
		.tm_year = 2030 - 1900,
		.tm_mon = 0,
		.tm_mday = 2,
		.tm_hour = 3,
		.tm_min = 4,
		.tm_sec = 5,
		.tm_wday = 3,
		.tm_yday = 1,
		.tm_isdst = -1,
	};
	int ret = device_is_ready(rtc) ? rtc_set_time(rtc, &t) : -ENODEV;

	if (ret != 0) {
		printk("rtc_preset: could not set the emulated RTC (%d)\n", ret);
	}
	return 0;
}

SYS_INIT(rtc_preset, APPLICATION, 0);
