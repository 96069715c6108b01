/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The common start of our bindgen seed headers (src/zephyr-hal/wrapper.h,
 * src/atomvm-port/wrapper.h): what clang needs, as bindgen runs it over Zephyr's headers, that
 * GCC builds get for free. Included by relative path, so it works before any -I is known.
 */
#ifndef ATOMVM_PORTS_BINDGEN_PROLOGUE_H_
#define ATOMVM_PORTS_BINDGEN_PROLOGUE_H_

/*
 * The cargo environment defines KERNEL (Zephyr's own compile flags), under which the syscall
 * headers would not give the static inline user-facing functions we wrap.
 */
#undef KERNEL

#ifdef RUST_BINDGEN
/* Zephyr's headers use errno, which the C library normally provides by a macro. */
extern int errno;
#endif

#include <stdint.h>

/*
 * Zephyr's minimal <stdint.h> expands UINT32_C() and friends to the compiler-predefined
 * __UINT32_C() family, which some libclang builds lack; devicetree/Kconfig constants use them in
 * #if expressions. Provide the ones Zephyr's headers reach when missing.
 */
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

/*
 * GCC predefines __SOFTFP__ for Cortex-M soft-float builds and CMSIS relies on it; clang as
 * bindgen runs it does not.
 */
#if defined(CONFIG_CPU_CORTEX_M) && !defined(CONFIG_FP_HARDABI) && !defined(FORCE_FP_HARDABI) &&   \
	!defined(__SOFTFP__)
#define __SOFTFP__
#endif

#endif /* ATOMVM_PORTS_BINDGEN_PROLOGUE_H_ */
