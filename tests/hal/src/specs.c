/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The devicetree specs the Rust tests take with i2c_spec!/spi_spec!/gpio_spec!.
 */

#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/i2c.h>
#include <zephyr/drivers/spi.h>
#include <atomvm_ports/hal.h>

ATOMVM_HAL_I2C_SPEC(hal_regs_i2c, DT_NODELABEL(hal_regs));
ATOMVM_HAL_I2C_SPEC(hal_eeprom_i2c, DT_NODELABEL(hal_eeprom));
ATOMVM_HAL_SPI_SPEC(hal_spidev_spi, DT_NODELABEL(hal_spidev), SPI_WORD_SET(8) | SPI_TRANSFER_MSB);
ATOMVM_HAL_GPIO_SPEC(hal_in_pin, DT_NODELABEL(hal_pins), in_gpios);
ATOMVM_HAL_GPIO_SPEC(hal_out_pin, DT_NODELABEL(hal_pins), out_gpios);
ATOMVM_HAL_GPIO_SPEC(hal_inv_pin, DT_NODELABEL(hal_pins), inverted_gpios);
ATOMVM_HAL_I2C_SPEC(hal_async_regs_i2c, DT_NODELABEL(hal_async_regs));
ATOMVM_HAL_SPI_SPEC(hal_async_spidev_spi, DT_NODELABEL(hal_async_spidev),
		    SPI_WORD_SET(8) | SPI_TRANSFER_MSB);
ATOMVM_HAL_GPIO_SPEC(hal_open_drain_pin, DT_NODELABEL(hal_pins), open_drain_gpios);

ATOMVM_HAL_GPIO_SPEC(hal_spi_cs_pin, DT_NODELABEL(hal_pins), spi_cs_gpios);
ATOMVM_HAL_GPIO_SPEC(hal_nss_pin, DT_NODELABEL(hal_pins), nss_gpios);
ATOMVM_HAL_DEVICE(hal_spi_bus, DT_NODELABEL(hal_spi));
ATOMVM_HAL_DEVICE(hal_spi_async_bus, DT_NODELABEL(hal_spi_async));
ATOMVM_HAL_SPI_BUS(hal_spi_ctrl, DT_NODELABEL(hal_spi));
ATOMVM_HAL_SPI_BUS(hal_spi_async_ctrl, DT_NODELABEL(hal_spi_async));

/* A chip select with no emulated device behind it: the emulated controller answers -EIO. */
const struct spi_dt_spec hal_absent_spi = {
	.bus = DEVICE_DT_GET(DT_NODELABEL(hal_spi)),
	.config = {
		.frequency = 1000000,
		.operation = SPI_WORD_SET(8) | SPI_TRANSFER_MSB,
		.slave = 7,
	},
};
