/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Port drivers: the link-time table of C drivers (ATOMVM_PORT_DRIVER_DEFINE) plus the ones
 * registered at run time before the VM starts (Rust ports).
 */
#include <errno.h>
#include <string.h>

#include <atomvm_zephyr/platform.h>
#include <atomvm_zephyr/port_driver.h>

static const struct atomvm_port_driver *runtime_drivers[CONFIG_ATOMVM_PORT_DRIVERS_RUNTIME_MAX];
static size_t runtime_count;

int atomvm_port_driver_register(const struct atomvm_port_driver *driver)
{
	if (atomvm_zephyr_global() != NULL) {
		return -EBUSY;
	}
	const struct atomvm_port_driver *existing = atomvm_port_driver_find(driver->name);

	if (existing == driver) {
		return 0;
	}
	if (existing != NULL) {
		return -EEXIST;
	}
	if (runtime_count == ARRAY_SIZE(runtime_drivers)) {
		return -ENOMEM;
	}
	runtime_drivers[runtime_count++] = driver;
	return 0;
}

const struct atomvm_port_driver *atomvm_port_driver_find(const char *name)
{
	STRUCT_SECTION_FOREACH(atomvm_port_driver, driver) {
		if (strcmp(driver->name, name) == 0) {
			return driver;
		}
	}
	for (size_t i = 0; i < runtime_count; i++) {
		if (strcmp(runtime_drivers[i]->name, name) == 0) {
			return runtime_drivers[i];
		}
	}
	return NULL;
}

static void call_each(GlobalContext *glb, bool init)
{
	STRUCT_SECTION_FOREACH(atomvm_port_driver, driver) {
		void (*fn)(GlobalContext *) = init ? driver->init : driver->destroy;

		if (fn != NULL) {
			fn(glb);
		}
	}
	for (size_t i = 0; i < runtime_count; i++) {
		void (*fn)(GlobalContext *) =
			init ? runtime_drivers[i]->init : runtime_drivers[i]->destroy;

		if (fn != NULL) {
			fn(glb);
		}
	}
}

void atomvm_port_drivers_init(GlobalContext *glb)
{
	call_each(glb, true);
}

void atomvm_port_drivers_destroy(GlobalContext *glb)
{
	call_each(glb, false);
}
