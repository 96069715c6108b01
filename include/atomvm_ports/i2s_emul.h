/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Test API of the emulated I2S controller (src/emul/i2s_emul.c, compatible "atomvm,i2s-emul",
 * CONFIG_ATOMVM_I2S_EMUL). `dev` is DEVICE_DT_GET(node) of an "atomvm,i2s-emul" node.
 *
 * Everything the TX stream plays (each block when its block period ends) is appended to a
 * capture ring of CONFIG_ATOMVM_I2S_EMUL_CAPTURE_SIZE bytes; bytes that do not fit are dropped
 * and counted (capture_dropped). Tests read it oldest first.
 */

#ifndef ATOMVM_PORTS_I2S_EMUL_H_
#define ATOMVM_PORTS_I2S_EMUL_H_

#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>

#ifdef __cplusplus
extern "C" {
#endif

struct i2s_emul_counters {
	/* TX blocks and bytes played since boot or the last reset. */
	uint64_t played_blocks;
	uint64_t played_bytes;
	/* TX queue found empty at the end of a block while RUNNING (stream went to ERROR). */
	uint32_t underruns;
	/* RX block lost: RX slab empty or RX queue full (stream went to ERROR). */
	uint32_t rx_overruns;
	/* Played bytes that did not fit in the capture ring. */
	uint64_t capture_dropped;
	/* Played blocks left out of the WAV file (CONFIG_ATOMVM_I2S_EMUL_WAV): their format
	 * differs from the first block's, which fixed the file's.
	 */
	uint32_t wav_skipped_blocks;
	/* Bytes waiting in the capture ring. */
	uint32_t capture_pending;
	/* enum i2s_state of each stream, as uint8_t. */
	uint8_t tx_state;
	uint8_t rx_state;
	/* TX blocks queued (not counting the one playing). */
	uint16_t tx_queued;
};

/*
 * Copies up to `len` played bytes, oldest first, into `buf` and removes them from the ring.
 * Returns the number of bytes copied (0 when nothing is pending), or -EINVAL when `dev` is not
 * an I2S emulator.
 */
int i2s_emul_capture_read(const struct device *dev, uint8_t *buf, size_t len);

/* Fills `out` with the counters and states. Returns 0, or -EINVAL (not an I2S emulator). */
int i2s_emul_counters(const struct device *dev, struct i2s_emul_counters *out);

/*
 * The cycle counter (k_cycle_get_32()) at the moment the last TX block was queued by
 * i2s_write(), for benchmarks that time a path ending in the driver. Returns 0 or -EINVAL.
 */
int i2s_emul_last_write_cycles(const struct device *dev, uint32_t *cycles);

/* The I2S emulator of devicetree instance `inst` (0, 1, ...), or NULL. */
const struct device *i2s_emul_device(unsigned int inst);

/* Empties the capture ring and zeroes the counters (not the states). Returns 0 or -EINVAL. */
int i2s_emul_capture_reset(const struct device *dev);

#ifdef __cplusplus
}
#endif

#endif /* ATOMVM_PORTS_I2S_EMUL_H_ */
