/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * C helpers the Rust tests call (prefixed at_): the devices, and Zephyr's I2S and audio codec
 * calls (their API is static inline C).
 */

#include <errno.h>
#include <stdbool.h>

#include <zephyr/audio/codec.h>
#include <zephyr/device.h>
#include <zephyr/drivers/i2s.h>
#include <zephyr/kernel.h>

#define BLOCK_MAX 256
K_MEM_SLAB_DEFINE_STATIC(tx_slab, BLOCK_MAX, 4, 4);

const struct device *at_i2s(void)
{
	return DEVICE_DT_GET(DT_NODELABEL(i2s_emul0));
}

const struct device *at_codec(void)
{
	return DEVICE_DT_GET(DT_NODELABEL(codec_emul0));
}

/* TX, 16-bit stereo I2S, `block_size` bytes (at most BLOCK_MAX). */
int at_i2s_configure(uint32_t rate, uint32_t block_size)
{
	struct i2s_config cfg = {
		.word_size = 16,
		.channels = 2,
		.format = I2S_FMT_DATA_FORMAT_I2S,
		.options = I2S_OPT_FRAME_CLK_MASTER | I2S_OPT_BIT_CLK_MASTER,
		.frame_clk_freq = rate,
		.mem_slab = &tx_slab,
		.block_size = block_size,
		.timeout = 1000,
	};

	return i2s_configure(at_i2s(), I2S_DIR_TX, &cfg);
}

int at_i2s_write(const uint8_t *buf, size_t len)
{
	return i2s_buf_write(at_i2s(), (void *)buf, len);
}

int at_i2s_trigger(int cmd)
{
	return i2s_trigger(at_i2s(), I2S_DIR_TX, (enum i2s_trigger_cmd)cmd);
}

void at_sleep_ms(int32_t ms)
{
	k_msleep(ms);
}

int64_t at_uptime_ms(void)
{
	return k_uptime_get();
}

int at_codec_configure(uint32_t rate, uint8_t bits, uint8_t channels)
{
	struct audio_codec_cfg cfg = {
		.dai_type = AUDIO_DAI_TYPE_I2S,
		.dai_route = AUDIO_ROUTE_PLAYBACK,
		.dai_cfg.i2s = {
			.word_size = bits,
			.channels = channels,
			.format = I2S_FMT_DATA_FORMAT_I2S,
			.frame_clk_freq = rate,
		},
	};

	return audio_codec_configure(at_codec(), &cfg);
}

int at_codec_set(int property, int channel, int value)
{
	audio_property_value_t v;

	if (property == AUDIO_PROPERTY_OUTPUT_MUTE) {
		v.mute = value != 0;
	} else {
		v.vol = value;
	}
	return audio_codec_set_property(at_codec(), (audio_property_t)property,
					(audio_channel_t)channel, v);
}

int at_codec_apply(void)
{
	return audio_codec_apply_properties(at_codec());
}

void at_codec_output(bool on)
{
	if (on) {
		audio_codec_start_output(at_codec());
	} else {
		audio_codec_stop_output(at_codec());
	}
}

bool at_wav_enabled(void)
{
	return IS_ENABLED(CONFIG_ATOMVM_I2S_EMUL_WAV);
}

#ifndef CONFIG_ATOMVM_I2S_EMUL_WAV
long at_wav_read(uint8_t *hdr, uint8_t *data, unsigned long max)
{
	(void)hdr;
	(void)data;
	(void)max;
	return -ENOTSUP;
}
#else
long at_wav_read_native(const char *path, uint8_t *hdr, uint8_t *data, unsigned long max);

/* The emulator's WAV file: its 44-byte header into `hdr`, up to `max` data bytes into `data`;
 * returns the data size the header gives, or -1.
 */
long at_wav_read(uint8_t *hdr, uint8_t *data, unsigned long max)
{
	return at_wav_read_native(CONFIG_ATOMVM_I2S_EMUL_WAV_PATH, hdr, data, max);
}
#endif
