/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The C <-> Rust interface of the `audio` port, declared once: audio_glue.c defines the table
 * of `atomvm,audio-port` nodes, the port crate's build.rs runs bindgen over this header (so
 * the Rust side has the same types, and the instance count as a constant).
 *
 * Only the devicetree table lives in C (devicetree is macros). Everything else (slabs, the
 * reclaim threads, I2S, the codec) is Rust, over zephyr-hal's raw bindings.
 */

#ifndef ATOMVM_AUDIO_H_
#define ATOMVM_AUDIO_H_

#include <stddef.h>
#include <stdint.h>

#include <zephyr/devicetree.h>

struct device;

/* One `atomvm,audio-port` node. Instance n of the compatible is entry n. */
struct atomvm_audio_node {
	/* The node name (e.g. "audio-port") and its node labels, for {device, Name}. */
	const char *name;
	const char *const *labels;
	size_t n_labels;
	/* The I2S controller. */
	const struct device *i2s;
	/* The codec, or NULL (software volume). */
	const struct device *codec;
	/* mclk-frequency (0: 256 x the rate). */
	uint32_t mclk_frequency;
};

/* The number of nodes, a constant bindgen evaluates (Rust sizes its static arrays by it). */
enum atomvm_audio_consts {
	ATOMVM_AUDIO_INSTANCES = DT_NUM_INST_STATUS_OKAY(atomvm_audio_port),
};

extern const struct atomvm_audio_node atomvm_audio_nodes[];
/* Index of the default node: the chosen atomvm,audio, else 0. */
extern const size_t atomvm_audio_default;

#endif /* ATOMVM_AUDIO_H_ */
