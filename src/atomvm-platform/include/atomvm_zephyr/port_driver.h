/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The explicit table of AtomVM port drivers on Zephyr.
 *
 * Each driver is one entry of a Zephyr iterable section, so drivers are found at link time
 * and registration never depends on C constructors running (AtomVM's own
 * REGISTER_PORT_DRIVER relies on them). Rust ports place the same struct in the same
 * section.
 */
#ifndef ATOMVM_ZEPHYR_PORT_DRIVER_H_
#define ATOMVM_ZEPHYR_PORT_DRIVER_H_

#include <zephyr/sys/iterable_sections.h>

#include <atomvm_zephyr/avm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct atomvm_port_driver {
	/** Name given to open_port({spawn, Name}, Opts). */
	const char *name;
	/** Called once when the VM starts, before the app's start/0; may be NULL. */
	void (*init)(GlobalContext *glb);
	/** Called once when the VM stops; may be NULL. */
	void (*destroy)(GlobalContext *glb);
	/** Creates the port; NULL reports failure to open_port. */
	Context *(*create_port)(GlobalContext *glb, term opts);
	/**
	 * Why the last create_port of this driver failed, as a term built on @p caller's heap
	 * (the `Reason` of `{error, Reason}` that atomvm_port:open/2 returns). Called on the VM
	 * thread right after create_port returned NULL, with nothing else running in between.
	 * May be NULL: the reason is then `badarg`, as open_port/2 reports every failure.
	 */
	term (*open_error)(Context *caller);
};

#define ATOMVM_PORT_DRIVER_DEFINE(ident, port_name, init_fn, destroy_fn, create_fn)            \
	STRUCT_SECTION_ITERABLE(atomvm_port_driver, ident) = {                                 \
		.name = (port_name),                                                           \
		.init = (init_fn),                                                             \
		.destroy = (destroy_fn),                                                       \
		.create_port = (create_fn),                                                    \
	}

/** ATOMVM_PORT_DRIVER_DEFINE with an open_error function (see struct atomvm_port_driver). */
#define ATOMVM_PORT_DRIVER_DEFINE_WITH_ERROR(ident, port_name, init_fn, destroy_fn, create_fn,  \
					     error_fn)                                         \
	STRUCT_SECTION_ITERABLE(atomvm_port_driver, ident) = {                                 \
		.name = (port_name),                                                           \
		.init = (init_fn),                                                             \
		.destroy = (destroy_fn),                                                       \
		.create_port = (create_fn),                                                    \
		.open_error = (error_fn),                                                      \
	}

/**
 * Registers a driver at run time (Rust ports, whose statics are not in the iterable section).
 * Call before the VM starts; the driver must stay valid for as long as the VM runs.
 *
 * @retval 0 registered (or already registered)
 * @retval -ENOMEM CONFIG_ATOMVM_PORT_DRIVERS_RUNTIME_MAX drivers are registered already
 * @retval -EBUSY the VM is running
 * @retval -EEXIST another driver has the same name
 */
int atomvm_port_driver_register(const struct atomvm_port_driver *driver);

/** Looks a driver up by name; NULL when there is none. */
const struct atomvm_port_driver *atomvm_port_driver_find(const char *name);

void atomvm_port_drivers_init(GlobalContext *glb);
void atomvm_port_drivers_destroy(GlobalContext *glb);

#ifdef __cplusplus
}
#endif

#endif /* ATOMVM_ZEPHYR_PORT_DRIVER_H_ */
