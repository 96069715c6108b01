/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Test API of the emulated audio codec (src/emul/audio_codec_emul.c, compatible
 * "atomvm,audio-codec-emul", CONFIG_ATOMVM_AUDIO_CODEC_EMUL). `dev` is DEVICE_DT_GET(node) of
 * an "atomvm,audio-codec-emul" node.
 *
 * The codec caches set_property() values and applies them in apply_properties(), as the audio
 * codec API allows: the state shows the applied values only, so a user that forgets
 * audio_codec_apply_properties() sees no change.
 */

#ifndef ATOMVM_PORTS_AUDIO_CODEC_EMUL_H_
#define ATOMVM_PORTS_AUDIO_CODEC_EMUL_H_

#include <stdint.h>

#include <zephyr/device.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Accepted OUTPUT_VOLUME values: 0 (silent) .. AUDIO_CODEC_EMUL_VOLUME_MAX (0 dB). */
#define AUDIO_CODEC_EMUL_VOLUME_MAX 255

struct audio_codec_emul_state {
	/* Applied output volume of the front left / right channels (AUDIO_CHANNEL_ALL sets both). */
	int32_t volume_left;
	int32_t volume_right;
	/* From the last successful audio_codec_configure(): I2S frame clock (Hz). */
	uint32_t rate;
	/* Successful configure() and apply_properties() calls since boot. */
	uint32_t configures;
	uint32_t applies;
	/* From the last configure(): word size (bits) and channels. */
	uint8_t bits;
	uint8_t channels;
	/* Applied output mute of the front left / right channels (1 = muted). */
	uint8_t muted_left;
	uint8_t muted_right;
	/* 1 between start_output() and stop_output(). */
	uint8_t output_started;
	/* 1 once configure() succeeded. */
	uint8_t configured;
	uint8_t reserved[2];
};

/* Fills `out`. Returns 0, or -EINVAL when `dev` is not an emulated codec. */
int audio_codec_emul_state(const struct device *dev, struct audio_codec_emul_state *out);

/* The emulated codec of devicetree instance `inst`, or NULL. */
const struct device *audio_codec_emul_device(unsigned int inst);

#ifdef __cplusplus
}
#endif

#endif /* ATOMVM_PORTS_AUDIO_CODEC_EMUL_H_ */
