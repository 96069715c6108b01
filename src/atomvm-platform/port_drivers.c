/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <atomvm_zephyr/port_driver.h>

const struct atomvm_port_driver *atomvm_port_driver_find(const char *name)
{
	STRUCT_SECTION_FOREACH(atomvm_port_driver, driver) {
		if (strcmp(driver->name, name) == 0) {
			return driver;
		}
	}
	return NULL;
}

void atomvm_port_drivers_init(GlobalContext *glb)
{
	STRUCT_SECTION_FOREACH(atomvm_port_driver, driver) {
		if (driver->init != NULL) {
			driver->init(glb);
		}
	}
}

void atomvm_port_drivers_destroy(GlobalContext *glb)
{
	STRUCT_SECTION_FOREACH(atomvm_port_driver, driver) {
		if (driver->destroy != NULL) {
			driver->destroy(glb);
		}
	}
}
