/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The audio test's emulated devices by role (src/lib.rs): 0 the speaker's I2S emulator,
 * 1 the line out's, and the speaker's codec.
 */

#include <zephyr/device.h>

const struct device *audio_test_i2s(int which)
{
	return which == 1 ? DEVICE_DT_GET(DT_NODELABEL(i2s_emul1))
			  : DEVICE_DT_GET(DT_NODELABEL(i2s_emul0));
}

const struct device *audio_test_codec(void)
{
	return DEVICE_DT_GET(DT_NODELABEL(codec_emul0));
}
