/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The spi test's register files by role (src/lib.rs): 0 regs_a, 1 regs_b (spi_bus),
 * 2 regs_c (spi_bus2), 3 accel (spi_bus, the LIS3DH); and, in the driver-callback scenario
 * (async.overlay), the buses' emulated async controllers (0 spi_bus, 1 spi_bus2).
 */

#include <errno.h>

#include <zephyr/device.h>
#include <zephyr/drivers/emul.h>

#ifdef CONFIG_ATOMVM_SPI_ASYNC_EMUL
#include <atomvm_ports/spi_async_emul.h>
#endif

const struct emul *spi_test_emul(int which)
{
	switch (which) {
	case 0:
		return EMUL_DT_GET(DT_NODELABEL(regs_a));
	case 1:
		return EMUL_DT_GET(DT_NODELABEL(regs_b));
	case 2:
		return EMUL_DT_GET(DT_NODELABEL(regs_c));
	case 3:
		return EMUL_DT_GET(DT_NODELABEL(accel));
	default:
		return NULL;
	}
}

static const struct device *bus(int which)
{
	return which == 0 ? DEVICE_DT_GET(DT_NODELABEL(spi_bus))
			  : DEVICE_DT_GET(DT_NODELABEL(spi_bus2));
}

/*
 * The async controller's counters (sync calls, async calls, callbacks, callbacks in ISR), or
 * -ENODEV when the bus is not one (the plain scenario).
 */
int spi_test_async_counts(int which, uint32_t out[4])
{
#ifdef CONFIG_ATOMVM_SPI_ASYNC_EMUL
	struct spi_async_emul_counters c;
	int ret = spi_async_emul_counters(bus(which), &c);

	if (ret < 0) {
		return -ENODEV;
	}
	out[0] = c.sync_calls;
	out[1] = c.async_calls;
	out[2] = c.callbacks;
	out[3] = c.callbacks_in_isr;
	return 0;
#else
	(void)bus(which);
	(void)out;
	return -ENODEV;
#endif
}

/* Sets the async controller's completion delay; -ENODEV when the bus is not one. */
int spi_test_async_delay(int which, uint32_t us)
{
#ifdef CONFIG_ATOMVM_SPI_ASYNC_EMUL
	return spi_async_emul_set_delay_us(bus(which), us) < 0 ? -ENODEV : 0;
#else
	(void)bus(which);
	(void)us;
	return -ENODEV;
#endif
}
