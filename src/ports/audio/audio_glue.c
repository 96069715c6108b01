/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The devicetree side of the `audio` port (src/port.rs), which only C macros can reach: the
 * table of `atomvm,audio-port` nodes (include/atomvm_audio.h). No code runs here.
 */
#define DT_DRV_COMPAT atomvm_audio_port

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/sys/util.h>

#include "include/atomvm_audio.h"

#define NODE(n)                                                                                    \
	BUILD_ASSERT(!DT_INST_NODE_HAS_PROP(n, codec) || IS_ENABLED(CONFIG_AUDIO_CODEC),           \
		     "atomvm,audio-port with a codec needs CONFIG_AUDIO_CODEC");                   \
	static const char *const labels_##n[] = DT_NODELABEL_STRING_ARRAY(DT_DRV_INST(n));

DT_INST_FOREACH_STATUS_OKAY(NODE)

#define ENTRY(n)                                                                                   \
	[n] = {                                                                                    \
		.name = DT_NODE_FULL_NAME(DT_DRV_INST(n)),                                         \
		.labels = labels_##n,                                                              \
		.n_labels = ARRAY_SIZE(labels_##n),                                                \
		.i2s = DEVICE_DT_GET(DT_INST_PHANDLE(n, i2s)),                                     \
		.codec = COND_CODE_1(DT_INST_NODE_HAS_PROP(n, codec),                              \
				     (DEVICE_DT_GET(DT_INST_PHANDLE(n, codec))), (NULL)),          \
		.mclk_frequency = DT_INST_PROP(n, mclk_frequency),                                 \
	},

const struct atomvm_audio_node atomvm_audio_nodes[] = {DT_INST_FOREACH_STATUS_OKAY(ENTRY)};

BUILD_ASSERT(ARRAY_SIZE(atomvm_audio_nodes) == ATOMVM_AUDIO_INSTANCES);

#if DT_HAS_CHOSEN(atomvm_audio)
#define DEFAULT_NODE DT_CHOSEN(atomvm_audio)
BUILD_ASSERT(DT_NODE_HAS_COMPAT(DEFAULT_NODE, atomvm_audio_port),
	     "chosen atomvm,audio must be an atomvm,audio-port node");
#define IS_DEFAULT(n) (DT_SAME_NODE(DT_DRV_INST(n), DEFAULT_NODE) ? n : 0) +
const size_t atomvm_audio_default = DT_INST_FOREACH_STATUS_OKAY(IS_DEFAULT) 0;
#else
const size_t atomvm_audio_default;
#endif
