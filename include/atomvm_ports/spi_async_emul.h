/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Test API of the emulated SPI controller with transceive_async (src/emul/spi_async_emul.c,
 * CONFIG_ATOMVM_SPI_ASYNC_EMUL; behaviour in
 * dts/bindings/spi/atomvm,spi-emul-async-controller.yaml). `dev` is DEVICE_DT_GET(node) of an
 * "atomvm,spi-emul-async-controller" node; every function returns -EINVAL when it is not one.
 * All are safe from any thread.
 */

#ifndef ATOMVM_PORTS_SPI_ASYNC_EMUL_H_
#define ATOMVM_PORTS_SPI_ASYNC_EMUL_H_

#include <stdint.h>

#include <zephyr/device.h>

/* Counters since boot or the last spi_async_emul_reset_counters(). */
struct spi_async_emul_counters {
	uint32_t sync_calls;       /* spi_transceive() calls */
	uint32_t async_calls;      /* spi_transceive_cb() calls accepted */
	uint32_t callbacks;        /* completion callbacks made */
	uint32_t callbacks_in_isr; /* of them, made in interrupt context (k_is_in_isr()) */
	uint32_t failed;           /* transfers that completed with an error (no device, ...) */
	uint32_t releases;         /* spi_release() calls */
};

/* Time from spi_transceive_cb() to the transfer and its callback, for the next ones. */
int spi_async_emul_set_delay_us(const struct device *dev, uint32_t us);

/* The current delay (>= 0), or -EINVAL. */
int64_t spi_async_emul_delay_us(const struct device *dev);

int spi_async_emul_counters(const struct device *dev, struct spi_async_emul_counters *out);

int spi_async_emul_reset_counters(const struct device *dev);

/* 1 while a transfer started with spi_transceive_cb() has not called back yet, else 0. */
int spi_async_emul_busy(const struct device *dev);

#endif /* ATOMVM_PORTS_SPI_ASYNC_EMUL_H_ */
