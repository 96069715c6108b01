/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Test API of the emulated SPI register file (src/emul/spi_regs_emul.c,
 * CONFIG_ATOMVM_SPI_REGS_EMUL; protocol and devicetree properties in
 * dts/bindings/spi/atomvm,spi-regs-emul.yaml). `target` is EMUL_DT_GET(node) of an
 * "atomvm,spi-regs-emul" node, or spi_regs_emul_get(inst). Every function returns -EINVAL when
 * `target` is not such an emulator. All are safe from any thread (a spinlock).
 */

#ifndef ATOMVM_PORTS_SPI_REGS_EMUL_H_
#define ATOMVM_PORTS_SPI_REGS_EMUL_H_

#include <stddef.h>
#include <stdint.h>

#include <zephyr/drivers/emul.h>

/* Counters since boot or the last spi_regs_emul_reset(). */
struct spi_regs_emul_counters {
	uint32_t transfers;    /* io calls that reached the device (failed ones included) */
	uint32_t frames;       /* frames ended (CS released) after at least one byte */
	uint32_t read_frames;  /* frames whose address had the read flag */
	uint32_t write_frames; /* frames whose address had no read flag */
	uint32_t bytes;        /* whole bytes exchanged inside frames, addresses included */
	uint32_t failed;       /* transfers failed by spi_regs_emul_fail_next() */
	uint32_t deselected;   /* transfers ignored while select-gpios was inactive */
	uint32_t reserved;
};

/* The spi_config of the last transfer, decoded. */
struct spi_regs_emul_config {
	const void *cs_gpio_port; /* cs.gpio.port when cs_is_gpio, else NULL */
	uint32_t frequency;
	uint32_t operation;       /* the whole operation word */
	uint32_t cs_delay;        /* cs.delay (us) for a GPIO CS, cs.setup_ns for hardware CS */
	uint32_t cs_hold_ns;      /* cs.hold_ns for hardware CS, else 0 */
	uint16_t slave;
	uint16_t cs_gpio_flags;   /* cs.gpio.dt_flags */
	uint8_t mode;             /* CPOL << 1 | CPHA: 0..3 */
	uint8_t word_size;        /* bits */
	uint8_t lsb_first;        /* 1 with SPI_TRANSFER_LSB */
	uint8_t cs_is_gpio;
	uint8_t cs_gpio_pin;
	uint8_t cs_active_high;   /* 1 with SPI_CS_ACTIVE_HIGH */
	uint8_t seen;             /* 1 once a transfer was seen since the last reset */
	uint8_t reserved;
};

/* The emulator of devicetree instance `inst` (0, 1, ...), or NULL. */
const struct emul *spi_regs_emul_get(unsigned int inst);

/*
 * Copy `len` registers from/to `reg` on (wrapping at the register file size). These are the
 * device's own side: writes reach read-only-registers too (a new measurement, say).
 */
int spi_regs_emul_read(const struct emul *target, uint16_t reg, uint8_t *buf, size_t len);
int spi_regs_emul_write(const struct emul *target, uint16_t reg, const uint8_t *buf, size_t len);

/*
 * The next `n` transfers fail with `err` (a negative errno) without touching the registers; the
 * frame in progress ends, as a controller releases CS on an error. n = 0 cancels.
 */
int spi_regs_emul_fail_next(const struct emul *target, uint32_t n, int err);

int spi_regs_emul_counters(const struct emul *target, struct spi_regs_emul_counters *out);
int spi_regs_emul_last_config(const struct emul *target, struct spi_regs_emul_config *out);

/* Zeroes the counters, forgets the last config, cancels injected faults, ends the frame in
 * progress. The registers are kept. */
int spi_regs_emul_reset(const struct emul *target);

#endif /* ATOMVM_PORTS_SPI_REGS_EMUL_H_ */
