/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Seed header for bindgen (build.rs, feature `vm`): libAtomVM's term, heap, mailbox, port and
 * resource API plus our Zephyr platform's. bindgen writes C wrappers of the static inline
 * functions it binds next to the build (ATOMVM_PORT_WRAPPER); our CMake compiles them into
 * the image with libAtomVM's include directories and definitions.
 */
#include "../../include/atomvm_ports/bindgen_prologue.h"

#include <atomvm_zephyr/avm.h>
#include <atomvm_zephyr/platform.h>
#include <atomvm_zephyr/port_driver.h>
#include <erl_nif.h>
#include <erl_nif_priv.h>
#include <refc_binary.h>
#include <resources.h>
#include <scheduler.h>

/* Sizes that are macros built from other macros: an enum makes clang evaluate them. */
enum atomvm_port_consts {
	ATOMVM_PORT_TERM_BOXED_RESOURCE_SIZE = TERM_BOXED_RESOURCE_SIZE,
	ATOMVM_PORT_REF_SIZE = REF_SIZE,
	ATOMVM_PORT_NATIVE_CONTINUE = NativeContinue,
	ATOMVM_PORT_NATIVE_TERMINATE = NativeTerminate,
};
