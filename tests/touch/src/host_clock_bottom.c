/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * native_sim only, compiled into the runner (host side, host libc): the host's monotonic
 * clock. Simulated time does not advance while Zephyr threads compute, so the benchmark
 * measures wall time here.
 */
#include <stdint.h>
#include <time.h>

uint64_t touch_bench_host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
