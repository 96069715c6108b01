/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The benchmark's C side (called from src/lib.rs on the VM thread):
 * - the clock: the CMSDK APB timer0 counting up, free-running at the system clock. Not
 *   k_cycle_get_32(): the SysTick-based count loses whole SysTick periods while interrupts
 *   are masked, and the register file holds its spinlock for a whole transfer (about 200 ms
 *   of emulated time for 4096 bytes; 10 such writes read 5.4 million cycles on
 *   k_cycle_get_32() against 49.3 million on the timer). The timer counts whatever the CPU
 *   masks;
 * - the C baseline: what an application without the VM does, spi_transceive() on the
 *   register file with the spi_config the spi port builds for the device Erlang opens
 *   (1 MHz, mode 0, 8-bit words, MSB first, hardware chip select 0);
 * - the register file's counters and the spi_config of its last transfer, so the benchmark
 *   checks that every path did its transfers, on the same device, with the same settings.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/drivers/counter.h>
#include <zephyr/drivers/emul.h>
#include <zephyr/drivers/spi.h>
#include <zephyr/kernel.h>

#include <atomvm_ports/spi_regs_emul.h>

#define BUS     DEVICE_DT_GET(DT_NODELABEL(spi_bus))
#define REGS    EMUL_DT_GET(DT_NODELABEL(regs))
#define MAX_TX  4096
#define CLOCK   DEVICE_DT_GET(DT_NODELABEL(timer0))

static const struct spi_config baseline_cfg = {
	.frequency = 1000000,
	.operation = SPI_OP_MODE_MASTER | SPI_WORD_SET(8) | SPI_TRANSFER_MSB,
	.slave = 0,
};

static uint8_t baseline_tx[MAX_TX];

static uint32_t now(void)
{
	uint32_t ticks = 0;

	(void)counter_get_value(CLOCK, &ticks);
	return ticks;
}

/* Starts the clock (once); 0 or a negative errno. */
int spi_bench_clock_start(void)
{
	static bool started;

	if (started) {
		return 0;
	}
	if (!device_is_ready(CLOCK)) {
		return -ENODEV;
	}
	int ret = counter_start(CLOCK);

	started = ret == 0;
	return ret;
}

uint32_t spi_bench_cycles(void)
{
	return now();
}

/* The clock's rate: the APB timers run on the board's system clock (the devicetree gives
 * timer0 no clock of its own, so the counter driver's frequency is a fallback guess). */
uint32_t spi_bench_cycles_per_sec(void)
{
	return DT_PROP(DT_NODELABEL(sysclk), clock_frequency);
}

/*
 * The clock's rate as measured, to 1 kHz: its ticks over 100 ms of busy wait timed by the
 * system clock (interrupts enabled, so that one is right here): checks the figure above.
 */
uint32_t spi_bench_measured_hz(void)
{
	uint32_t c0 = k_cycle_get_32();
	uint32_t t0 = now();

	k_busy_wait(100000);
	uint32_t t1 = now();
	uint32_t c1 = k_cycle_get_32();
	uint64_t hz = (uint64_t)(t1 - t0) * sys_clock_hw_cycles_per_sec() / (c1 - c0);

	return (uint32_t)((hz + 500) / 1000 * 1000);
}

bool spi_bench_emulated_time_runs(void)
{
	return !IS_ENABLED(CONFIG_ARCH_POSIX);
}

/* The register file's transfers, bytes and failed transfers since boot, and the spi_config
 * of its last transfer (operation word, frequency, chip select). 0 or a negative errno. */
int spi_bench_device(uint32_t counts[3], uint32_t config[3])
{
	struct spi_regs_emul_counters c;
	struct spi_regs_emul_config l;
	int ret = spi_regs_emul_counters(REGS, &c);

	if (ret == 0) {
		ret = spi_regs_emul_last_config(REGS, &l);
	}
	if (ret == 0) {
		counts[0] = c.transfers;
		counts[1] = c.bytes;
		counts[2] = c.failed;
		config[0] = l.operation;
		config[1] = l.frequency;
		config[2] = l.slave;
	}
	return ret;
}

/*
 * `n` full-duplex transfers of 4 bytes, a register read as spi:write_read sends it: the
 * address `reg` with bit 7 set, then 3 zero bytes while the device answers. `rx` gets the 4
 * bytes of the last one, `*cycles` the cycles of all `n`. 0 or the first error.
 */
int spi_bench_c_write_read(uint32_t n, uint8_t reg, uint8_t rx[4], uint32_t *cycles)
{
	uint8_t tx[4] = {0x80 | reg, 0, 0, 0};
	const struct spi_buf txb = {.buf = tx, .len = sizeof(tx)};
	const struct spi_buf rxb = {.buf = rx, .len = 4};
	const struct spi_buf_set txs = {.buffers = &txb, .count = 1};
	const struct spi_buf_set rxs = {.buffers = &rxb, .count = 1};
	int ret = 0;

	if (!device_is_ready(BUS)) {
		return -ENODEV;
	}
	uint32_t t0 = now();

	for (uint32_t i = 0; i < n && ret == 0; i++) {
		ret = spi_transceive(BUS, &baseline_cfg, &txs, &rxs);
	}
	*cycles = now() - t0;
	return ret;
}

/*
 * `n` writes of `bytes` bytes (the first one a register address without bit 7, so the
 * device takes the rest as register writes), as spi:write sends them. `*cycles` gets the
 * cycles of all `n`. 0 or the first error.
 */
int spi_bench_c_write(uint32_t bytes, uint32_t n, uint32_t *cycles)
{
	const struct spi_buf txb = {.buf = baseline_tx, .len = bytes};
	const struct spi_buf_set txs = {.buffers = &txb, .count = 1};
	int ret = 0;

	if (bytes == 0 || bytes > MAX_TX) {
		return -EINVAL;
	}
	if (!device_is_ready(BUS)) {
		return -ENODEV;
	}
	/* The same bytes the Erlang side writes: register 0x20 on, then i & 0xff. */
	baseline_tx[0] = 0x20;
	for (uint32_t i = 1; i < bytes; i++) {
		baseline_tx[i] = (uint8_t)i;
	}
	uint32_t t0 = now();

	for (uint32_t i = 0; i < n && ret == 0; i++) {
		ret = spi_transceive(BUS, &baseline_cfg, &txs, NULL);
	}
	*cycles = now() - t0;
	return ret;
}
