/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Included first in every libAtomVM source (see CMakeLists.txt), nowhere else.
 *
 * libAtomVM takes NULL from malloc()/calloc()/realloc() as out of memory, also for a request
 * of 0 bytes (e.g. the import table of a module that imports nothing). C allows either answer
 * for 0 bytes, and Zephyr's malloc (sys_heap) gives NULL. Ask for one byte instead, as glibc
 * effectively does, so such modules load.
 */
#ifndef ATOMVM_ZEPHYR_LIBATOMVM_ALLOC_H
#define ATOMVM_ZEPHYR_LIBATOMVM_ALLOC_H

#include <stdlib.h>

static inline void *atomvm_zephyr_malloc(size_t size)
{
	return malloc(size != 0 ? size : 1);
}

static inline void *atomvm_zephyr_calloc(size_t nmemb, size_t size)
{
	return (nmemb == 0 || size == 0) ? calloc(1, 1) : calloc(nmemb, size);
}

static inline void *atomvm_zephyr_realloc(void *ptr, size_t size)
{
	return realloc(ptr, size != 0 ? size : 1);
}

#define malloc(size)          atomvm_zephyr_malloc(size)
#define calloc(nmemb, size)   atomvm_zephyr_calloc(nmemb, size)
#define realloc(ptr, size)    atomvm_zephyr_realloc(ptr, size)

#endif /* ATOMVM_ZEPHYR_LIBATOMVM_ALLOC_H */
