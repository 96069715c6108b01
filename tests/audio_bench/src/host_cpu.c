/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Host side of native_sim (built with the host's C library): every Zephyr thread runs on a
 * host thread of its own, so the calling thread's CPU clock is the Zephyr thread's busy time,
 * which native_sim's emulated clock cannot show (it stands still while a thread runs).
 */

#include <stdint.h>
#include <time.h>

uint64_t audio_bench_host_thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
		return 0;
	}
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
