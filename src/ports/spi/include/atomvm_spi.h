/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The C <-> Rust interface of the `spi` port: spi_glue.c holds what only C macros reach (the
 * devicetree's cs-gpios and child nodes of SPI buses, the chosen atomvm,spi, the node label
 * lookup); the port crate's build.rs runs bindgen over this header.
 */

#ifndef ATOMVM_SPI_H_
#define ATOMVM_SPI_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device;
struct gpio_dt_spec;

/* An SPI controller with cs-gpios: {cs, N} on it is entry N. */
struct atomvm_spi_cs_bus {
	/* The controller's device name (DEVICE_DT_NAME), matched against the open bus's. */
	const char *name;
	const struct gpio_dt_spec *cs;
	size_t n_cs;
};

/* A device node on an SPI bus, for {device, Label}. */
struct atomvm_spi_child {
	/* Its bus's device name. */
	const char *bus;
	/* The node name and its node labels. */
	const char *name;
	const char *const *labels;
	size_t n_labels;
	/* reg: the chip select. */
	uint32_t reg;
	/* spi-max-frequency, 0 without one. */
	uint32_t max_frequency;
};

extern const struct atomvm_spi_cs_bus atomvm_spi_cs_buses[];
extern const size_t atomvm_spi_cs_bus_count;
extern const struct atomvm_spi_child atomvm_spi_children[];
extern const size_t atomvm_spi_child_count;

/*
 * The bus called `name` (NUL-terminated): a node label (with CONFIG_DEVICE_DT_METADATA), else
 * a device name; NULL for none. With `name` NULL: the chosen atomvm,spi, or NULL.
 */
const struct device *atomvm_spi_find_bus(const char *name);

/* Whether the controller implements transceive_async (CONFIG_SPI_ASYNC). */
bool atomvm_spi_has_async(const struct device *bus);

#endif /* ATOMVM_SPI_H_ */
