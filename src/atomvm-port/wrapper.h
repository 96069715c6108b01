/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Seed header for bindgen (build.rs, feature `vm`): libAtomVM's term, heap, mailbox, port and
 * resource API plus our Zephyr platform's. bindgen writes C wrappers of the static inline
 * functions it binds next to the build (ATOMVM_PORT_WRAPPER); our CMake compiles them into
 * the image with libAtomVM's include directories and definitions.
 */
#undef KERNEL

#ifdef RUST_BINDGEN
extern int errno;
#endif

#include <stdint.h>

/* See src/zephyr-hal/wrapper.h: constants some libclang builds do not predefine. */
#if !defined(__INT32_C)
#define __INT32_C(v) v
#endif
#if !defined(__INT64_C)
#define __INT64_C(v) v##LL
#endif
#if !defined(__UINT32_C)
#define __UINT32_C(v) v##U
#endif
#if !defined(__UINT64_C)
#define __UINT64_C(v) v##ULL
#endif
#if !defined(__INTMAX_C)
#define __INTMAX_C(v) v##LL
#endif
#if !defined(__UINTMAX_C)
#define __UINTMAX_C(v) v##ULL
#endif

#include <zephyr/autoconf.h>

#if defined(CONFIG_CPU_CORTEX_M) && !defined(CONFIG_FP_HARDABI) && !defined(FORCE_FP_HARDABI) &&   \
	!defined(__SOFTFP__)
#define __SOFTFP__
#endif

#include <atomvm_zephyr/avm.h>
#include <atomvm_zephyr/platform.h>
#include <atomvm_zephyr/port_driver.h>
#include <erl_nif.h>
#include <erl_nif_priv.h>
#include <refc_binary.h>
#include <resources.h>

/* Sizes that are macros built from other macros: an enum makes clang evaluate them. */
enum atomvm_port_consts {
	ATOMVM_PORT_TERM_BOXED_RESOURCE_SIZE = TERM_BOXED_RESOURCE_SIZE,
	ATOMVM_PORT_NATIVE_CONTINUE = NativeContinue,
	ATOMVM_PORT_NATIVE_TERMINATE = NativeTerminate,
};
