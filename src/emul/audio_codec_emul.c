/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Emulated audio codec (compatible "atomvm,audio-codec-emul", CONFIG_ATOMVM_AUDIO_CODEC_EMUL):
 * a driver of Zephyr's audio codec API (<zephyr/audio/codec.h>) with no hardware behind it.
 * It checks what a DAC codec would (an I2S-type DAI, 16/24/32-bit words, one or two channels,
 * a frame clock), caches OUTPUT_VOLUME / OUTPUT_MUTE until apply_properties(), and shows the
 * applied state through <atomvm_ports/audio_codec_emul.h>.
 */

#define DT_DRV_COMPAT atomvm_audio_codec_emul

#include <errno.h>
#include <stddef.h>

#include <zephyr/audio/codec.h>
#include <zephyr/device.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/util.h>

#include <atomvm_ports/audio_codec_emul.h>

/* The layout the Rust binding (src/emul-rs) declares. */
BUILD_ASSERT(sizeof(struct audio_codec_emul_state) == 28);
BUILD_ASSERT(offsetof(struct audio_codec_emul_state, bits) == 20);
BUILD_ASSERT(offsetof(struct audio_codec_emul_state, configured) == 25);

#define LEFT  0
#define RIGHT 1

struct audio_codec_emul_data {
	struct k_spinlock lock;
	struct audio_codec_emul_state state;
	/* Set by set_property(), applied by apply_properties(). */
	int32_t pending_volume[2];
	uint8_t pending_mute[2];
};

static int audio_codec_emul_configure(const struct device *dev, struct audio_codec_cfg *cfg)
{
	struct audio_codec_emul_data *data = dev->data;
	const struct i2s_config *i2s;

	if (cfg == NULL) {
		return -EINVAL;
	}
	i2s = &cfg->dai_cfg.i2s;
	if (cfg->dai_type != AUDIO_DAI_TYPE_I2S && cfg->dai_type != AUDIO_DAI_TYPE_LEFT_JUSTIFIED &&
	    cfg->dai_type != AUDIO_DAI_TYPE_RIGHT_JUSTIFIED) {
		return -ENOTSUP;
	}
	if (i2s->word_size != 16 && i2s->word_size != 24 && i2s->word_size != 32) {
		return -ENOTSUP;
	}
	if (i2s->channels < 1 || i2s->channels > 2 || i2s->frame_clk_freq == 0) {
		return -EINVAL;
	}
	K_SPINLOCK(&data->lock) {
		data->state.rate = i2s->frame_clk_freq;
		data->state.bits = i2s->word_size;
		data->state.channels = i2s->channels;
		data->state.configured = 1;
		data->state.configures++;
	}
	return 0;
}

static void set_started(const struct device *dev, uint8_t started)
{
	struct audio_codec_emul_data *data = dev->data;

	K_SPINLOCK(&data->lock) {
		data->state.output_started = started;
	}
}

static void audio_codec_emul_start_output(const struct device *dev)
{
	set_started(dev, 1);
}

static void audio_codec_emul_stop_output(const struct device *dev)
{
	set_started(dev, 0);
}

static int audio_codec_emul_set_property(const struct device *dev, audio_property_t property,
					 audio_channel_t channel, audio_property_value_t val)
{
	struct audio_codec_emul_data *data = dev->data;
	bool left = channel == AUDIO_CHANNEL_FRONT_LEFT || channel == AUDIO_CHANNEL_ALL;
	bool right = channel == AUDIO_CHANNEL_FRONT_RIGHT || channel == AUDIO_CHANNEL_ALL;

	if (!left && !right) {
		return -EINVAL;
	}
	switch (property) {
	case AUDIO_PROPERTY_OUTPUT_VOLUME:
		if (val.vol < 0 || val.vol > AUDIO_CODEC_EMUL_VOLUME_MAX) {
			return -EINVAL;
		}
		K_SPINLOCK(&data->lock) {
			if (left) {
				data->pending_volume[LEFT] = val.vol;
			}
			if (right) {
				data->pending_volume[RIGHT] = val.vol;
			}
		}
		return 0;
	case AUDIO_PROPERTY_OUTPUT_MUTE:
		K_SPINLOCK(&data->lock) {
			if (left) {
				data->pending_mute[LEFT] = val.mute ? 1 : 0;
			}
			if (right) {
				data->pending_mute[RIGHT] = val.mute ? 1 : 0;
			}
		}
		return 0;
	default:
		/* A DAC: no input path. */
		return -ENOTSUP;
	}
}

static int audio_codec_emul_apply_properties(const struct device *dev)
{
	struct audio_codec_emul_data *data = dev->data;

	K_SPINLOCK(&data->lock) {
		data->state.volume_left = data->pending_volume[LEFT];
		data->state.volume_right = data->pending_volume[RIGHT];
		data->state.muted_left = data->pending_mute[LEFT];
		data->state.muted_right = data->pending_mute[RIGHT];
		data->state.applies++;
	}
	return 0;
}

static const struct audio_codec_api audio_codec_emul_api = {
	.configure = audio_codec_emul_configure,
	.start_output = audio_codec_emul_start_output,
	.stop_output = audio_codec_emul_stop_output,
	.set_property = audio_codec_emul_set_property,
	.apply_properties = audio_codec_emul_apply_properties,
};

int audio_codec_emul_state(const struct device *dev, struct audio_codec_emul_state *out)
{
	if (dev == NULL || dev->api != &audio_codec_emul_api || out == NULL) {
		return -EINVAL;
	}
	struct audio_codec_emul_data *data = dev->data;

	K_SPINLOCK(&data->lock) {
		*out = data->state;
	}
	return 0;
}

static int audio_codec_emul_init(const struct device *dev)
{
	struct audio_codec_emul_data *data = dev->data;

	/* Power-on state: full volume, not muted, output stopped. */
	data->pending_volume[LEFT] = AUDIO_CODEC_EMUL_VOLUME_MAX;
	data->pending_volume[RIGHT] = AUDIO_CODEC_EMUL_VOLUME_MAX;
	data->state.volume_left = AUDIO_CODEC_EMUL_VOLUME_MAX;
	data->state.volume_right = AUDIO_CODEC_EMUL_VOLUME_MAX;
	return 0;
}

#define AUDIO_CODEC_EMUL_DEFINE(n)                                                                 \
	static struct audio_codec_emul_data audio_codec_emul_data_##n;                             \
	DEVICE_DT_INST_DEFINE(n, audio_codec_emul_init, NULL, &audio_codec_emul_data_##n, NULL,     \
			      POST_KERNEL, CONFIG_AUDIO_CODEC_INIT_PRIORITY,                      \
			      &audio_codec_emul_api);

DT_INST_FOREACH_STATUS_OKAY(AUDIO_CODEC_EMUL_DEFINE)

#define AUDIO_CODEC_EMUL_DEVICE_REF(n) DEVICE_DT_INST_GET(n),

const struct device *audio_codec_emul_device(unsigned int inst)
{
	static const struct device *const devices[] = {
		DT_INST_FOREACH_STATUS_OKAY(AUDIO_CODEC_EMUL_DEVICE_REF)};

	return inst < ARRAY_SIZE(devices) ? devices[inst] : NULL;
}
