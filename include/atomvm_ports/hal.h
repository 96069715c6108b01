/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Devicetree specs for the zephyr-hal-adapters crate (src/zephyr-hal).
 *
 * The *_DT_SPEC_GET macros only exist in C. Define one named, immutable spec per device in a C
 * file of the application, e.g.
 *
 *   ATOMVM_HAL_I2C_SPEC(sensor_i2c, DT_NODELABEL(sensor));
 *   ATOMVM_HAL_SPI_SPEC(flash_spi, DT_NODELABEL(flash), SPI_WORD_SET(8) | SPI_TRANSFER_MSB);
 *   ATOMVM_HAL_GPIO_SPEC(button, DT_ALIAS(sw0), gpios);
 *   ATOMVM_HAL_DEVICE(spi1_bus, DT_NODELABEL(spi1));
 *
 * and take it on the Rust side with zephyr_hal::i2c_spec!(sensor_i2c) (spi_spec!, gpio_spec!,
 * device! for a bus on which zephyr_hal::spi::SpiDevice::with_config builds devices at run
 * time).
 */

#ifndef ATOMVM_PORTS_HAL_H_
#define ATOMVM_PORTS_HAL_H_

#include <stdint.h>

#include <zephyr/devicetree.h>

struct device;
struct gpio_dt_spec;

#define ATOMVM_HAL_I2C_SPEC(sym, node_id)                                                          \
	const struct i2c_dt_spec sym = I2C_DT_SPEC_GET(node_id)

/* The chip select (native or cs-gpios) and its delay come from devicetree. */
#define ATOMVM_HAL_SPI_SPEC(sym, node_id, operation)                                               \
	const struct spi_dt_spec sym = SPI_DT_SPEC_GET(node_id, operation)

#define ATOMVM_HAL_GPIO_SPEC(sym, node_id, prop)                                                   \
	const struct gpio_dt_spec sym = GPIO_DT_SPEC_GET(node_id, prop)

/*
 * An SPI controller and its devicetree cs-gpios, for devices built at run time: entry N is the
 * chip select of a device whose reg is N (cs_gpios is NULL and cs_count 0 without cs-gpios).
 * Needs <zephyr/drivers/spi.h>. Rust: zephyr_hal::spi_bus!(sym).
 *
 *   ATOMVM_HAL_SPI_BUS(spi1_bus, DT_NODELABEL(spi1));
 */
struct atomvm_hal_spi_bus {
	const struct device *bus;
	const struct gpio_dt_spec *cs_gpios;
	uint32_t cs_count;
};

#define ATOMVM_HAL_SPI_BUS_CS_(node_id, prop, idx) GPIO_DT_SPEC_GET_BY_IDX(node_id, prop, idx),

#define ATOMVM_HAL_SPI_BUS(sym, node_id)                                                           \
	COND_CODE_1(DT_NODE_HAS_PROP(node_id, cs_gpios),                                           \
		    (static const struct gpio_dt_spec sym##_cs_gpios[] = {                         \
			     DT_FOREACH_PROP_ELEM(node_id, cs_gpios, ATOMVM_HAL_SPI_BUS_CS_)};),   \
		    ())                                                                            \
	const struct atomvm_hal_spi_bus sym = {                                                    \
		.bus = DEVICE_DT_GET(node_id),                                                     \
		.cs_gpios = COND_CODE_1(DT_NODE_HAS_PROP(node_id, cs_gpios), (sym##_cs_gpios),     \
					(NULL)),                                                   \
		.cs_count = DT_PROP_LEN_OR(node_id, cs_gpios, 0),                                  \
	}

#define ATOMVM_HAL_DEVICE(sym, node_id) const struct device *const sym = DEVICE_DT_GET(node_id)

#endif /* ATOMVM_PORTS_HAL_H_ */
