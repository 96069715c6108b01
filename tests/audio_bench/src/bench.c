/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The benchmark's C side (called from src/lib.rs on the VM thread):
 * - the calling thread's busy time, and the cycle counter;
 * - the C baseline: what an application without the VM does to queue a block, one
 *   i2s_buf_write() (allocate from the slab, copy, i2s_write) on the second emulator,
 *   configured as the port configures the first.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/drivers/i2s.h>
#include <zephyr/kernel.h>

#include <atomvm_ports/i2s_emul.h>

#define SPEAKER_I2S  DEVICE_DT_GET(DT_NODELABEL(i2s_emul0))
#define BASELINE_I2S DEVICE_DT_GET(DT_NODELABEL(i2s_emul1))

/* As many blocks as the port may use (prj.conf), of the port's default size. */
#define BASELINE_BLOCKS     CONFIG_ATOMVM_PORT_AUDIO_MAX_BLOCK_COUNT
#define BASELINE_BLOCK_SIZE CONFIG_ATOMVM_PORT_AUDIO_BLOCK_SIZE
/* The port starts the stream after this many blocks; the baseline does the same. */
#define START_BLOCKS        CONFIG_ATOMVM_PORT_AUDIO_START_BLOCKS

K_MEM_SLAB_DEFINE_STATIC(baseline_slab, BASELINE_BLOCK_SIZE, BASELINE_BLOCKS, 4);
static uint8_t baseline_src[BASELINE_BLOCK_SIZE];

#ifdef CONFIG_ARCH_POSIX
uint64_t audio_bench_host_thread_cpu_ns(void); /* src/host_cpu.c */
#endif

uint64_t audio_bench_thread_busy_ns(void)
{
#ifdef CONFIG_ARCH_POSIX
	return audio_bench_host_thread_cpu_ns();
#else
	k_thread_runtime_stats_t stats;

	if (k_thread_runtime_stats_get(k_current_get(), &stats) != 0) {
		return 0;
	}
	return k_cyc_to_ns_floor64(stats.execution_cycles);
#endif
}

bool audio_bench_emulated_time_runs(void)
{
	return !IS_ENABLED(CONFIG_ARCH_POSIX);
}

uint32_t audio_bench_cycles(void)
{
	return k_cycle_get_32();
}

uint32_t audio_bench_cycles_per_sec(void)
{
	return (uint32_t)sys_clock_hw_cycles_per_sec();
}

int audio_bench_speaker_last_write(uint32_t *cycles)
{
	return i2s_emul_last_write_cycles(SPEAKER_I2S, cycles);
}

/*
 * Queues `n` blocks of `block_bytes` at 48 kHz, stereo, 16 bit with i2s_buf_write() and
 * stores, for each, the cycles from the call to the block queued in the driver. START
 * (after START_BLOCKS blocks) and the final DROP are outside the timed spans.
 * Returns 0 or a negative errno.
 */
int audio_bench_c_baseline(uint32_t block_bytes, uint32_t n, uint32_t *out)
{
	const struct device *dev = BASELINE_I2S;
	struct i2s_config cfg = {
		.word_size = 16,
		.channels = 2,
		.format = I2S_FMT_DATA_FORMAT_I2S,
		.options = I2S_OPT_FRAME_CLK_MASTER | I2S_OPT_BIT_CLK_MASTER,
		.frame_clk_freq = 48000,
		.mem_slab = &baseline_slab,
		.block_size = block_bytes,
		.timeout = 0,
	};
	int ret;

	if (block_bytes == 0 || block_bytes > BASELINE_BLOCK_SIZE || block_bytes % 4 != 0 ||
	    n > BASELINE_BLOCKS) {
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(baseline_src); i++) {
		baseline_src[i] = (uint8_t)(i * 73 + (i >> 8));
	}
	ret = i2s_configure(dev, I2S_DIR_TX, &cfg);
	if (ret < 0) {
		return ret;
	}
	for (uint32_t i = 0; i < n && ret == 0; i++) {
		uint32_t t0 = k_cycle_get_32();
		uint32_t tq;

		ret = i2s_buf_write(dev, baseline_src, block_bytes);
		if (ret == 0) {
			ret = i2s_emul_last_write_cycles(dev, &tq);
			out[i] = tq - t0;
		}
		if (ret == 0 && i + 1 == START_BLOCKS) {
			ret = i2s_trigger(dev, I2S_DIR_TX, I2S_TRIGGER_START);
		}
	}
	int drop = i2s_trigger(dev, I2S_DIR_TX, I2S_TRIGGER_DROP);

	return ret < 0 ? ret : drop;
}
