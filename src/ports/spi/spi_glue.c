/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The devicetree side of the `spi` port (src/port.rs), which only C macros can reach: the
 * cs-gpios of SPI controllers, the device nodes on SPI buses, the chosen atomvm,spi and the
 * node label lookup (include/atomvm_spi.h). Nothing here runs a transfer.
 */

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/spi.h>
#include <zephyr/sys/util.h>

#include "include/atomvm_spi.h"

/* cs-gpios of every enabled node that has them (SPI controllers). */
#define CS_SPEC(node, prop, idx) GPIO_DT_SPEC_GET_BY_IDX(node, prop, idx)
#define CS_ARRAY(node)                                                                             \
	IF_ENABLED(DT_NODE_HAS_PROP(node, cs_gpios),                                               \
		   (static const struct gpio_dt_spec DT_CAT(cs_, node)[] = {                       \
			    DT_FOREACH_PROP_ELEM_SEP(node, cs_gpios, CS_SPEC, (,))};))
DT_FOREACH_STATUS_OKAY_NODE(CS_ARRAY)

#define CS_BUS(node)                                                                               \
	IF_ENABLED(DT_NODE_HAS_PROP(node, cs_gpios),                                               \
		   ({.name = DEVICE_DT_NAME(node),                                                 \
		     .cs = DT_CAT(cs_, node),                                                      \
		     .n_cs = ARRAY_SIZE(DT_CAT(cs_, node))},))

/* A last, empty entry keeps the arrays non-empty; the counts leave it out. */
const struct atomvm_spi_cs_bus atomvm_spi_cs_buses[] = {DT_FOREACH_STATUS_OKAY_NODE(CS_BUS){0}};
const size_t atomvm_spi_cs_bus_count = ARRAY_SIZE(atomvm_spi_cs_buses) - 1;

/* Device nodes on SPI buses. */
#define LABELS(node)                                                                               \
	IF_ENABLED(DT_ON_BUS(node, spi),                                                           \
		   (static const char *const DT_CAT(labels_, node)[] =                             \
			    DT_NODELABEL_STRING_ARRAY(node);))
DT_FOREACH_STATUS_OKAY_NODE(LABELS)

#define CHILD(node)                                                                                \
	IF_ENABLED(DT_ON_BUS(node, spi),                                                           \
		   ({.bus = DEVICE_DT_NAME(DT_BUS(node)),                                          \
		     .name = DT_NODE_FULL_NAME(node),                                              \
		     .labels = DT_CAT(labels_, node),                                              \
		     .n_labels = ARRAY_SIZE(DT_CAT(labels_, node)),                                \
		     .reg = DT_REG_ADDR(node),                                                     \
		     .max_frequency = DT_PROP_OR(node, spi_max_frequency, 0)},))

const struct atomvm_spi_child atomvm_spi_children[] = {DT_FOREACH_STATUS_OKAY_NODE(CHILD){0}};
const size_t atomvm_spi_child_count = ARRAY_SIZE(atomvm_spi_children) - 1;

const struct device *atomvm_spi_find_bus(const char *name)
{
	if (name == NULL) {
#if DT_HAS_CHOSEN(atomvm_spi)
		return device_get_binding(DEVICE_DT_NAME(DT_CHOSEN(atomvm_spi)));
#else
		return NULL;
#endif
	}
#ifdef CONFIG_DEVICE_DT_METADATA
	const struct device *dev = device_get_by_dt_nodelabel(name);

	if (dev != NULL) {
		return dev;
	}
#endif
	return device_get_binding(name);
}

bool atomvm_spi_has_async(const struct device *bus)
{
#ifdef CONFIG_SPI_ASYNC
	const struct spi_driver_api *api = (const struct spi_driver_api *)bus->api;

	return api != NULL && api->transceive_async != NULL;
#else
	ARG_UNUSED(bus);
	return false;
#endif
}
