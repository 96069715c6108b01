/* SPDX-License-Identifier: Apache-2.0 */

/*
 * The functions and structs lib.rs exports. Every struct is a run of uint32_t, passed and
 * returned by value; both sides check the sizes.
 */

#ifndef ISR_QUEUE_FFI_H_
#define ISR_QUEUE_FFI_H_

#include <stdbool.h>
#include <stdint.h>
#include <zephyr/toolchain.h>

struct isrq_drain_params {
	uint32_t expected;     /* stop after this many items */
	uint32_t first_seq;    /* sequence number of the first item */
	uint32_t batch;        /* drain_into buffer length (1..16), 0: the drain() iterator */
	uint32_t item_work_us; /* busy-wait per item */
	uint32_t timeout_ms;   /* longest wait for a wakeup */
};

struct isrq_drain_report {
	uint32_t claimed;       /* 1 if the consumer role could be claimed */
	uint32_t delivered;     /* items taken from the queue */
	uint32_t gaps;          /* places where sequence numbers jumped forward */
	uint32_t skipped;       /* sequence numbers jumped over, in total */
	uint32_t first_gap_at;  /* items delivered before the first gap; UINT32_MAX: none */
	uint32_t backwards;     /* duplicates or reorderings */
	uint32_t wakeups;       /* successful semaphore takes */
	uint32_t empty_wakeups; /* wakeups that found the queue empty */
	uint32_t max_batch;     /* most items one drain_into / drain() returned */
	uint32_t timed_out;     /* 1 if a wait timed out before `expected` items */
};

struct isrq_stats {
	uint32_t pushed;
	uint32_t dropped;
	uint32_t high_water;
	uint32_t len;
};

struct isrq_isr_counters {
	uint32_t runs; /* handler invocations, also the next sequence number */
	uint32_t not_in_isr;
	uint32_t claim_failures;
};

BUILD_ASSERT(sizeof(struct isrq_drain_params) == 5 * 4);
BUILD_ASSERT(sizeof(struct isrq_drain_report) == 10 * 4);
BUILD_ASSERT(sizeof(struct isrq_stats) == 4 * 4);
BUILD_ASSERT(sizeof(struct isrq_isr_counters) == 3 * 4);

void isrq_test_isr(const void *arg);
struct isrq_drain_report isrq_drain(struct isrq_drain_params params);
struct isrq_stats isrq_stats(void);
struct isrq_isr_counters isrq_isr_counters(void);
uint32_t isrq_capacity(void);
bool isrq_reset(void);

#endif /* ISR_QUEUE_FFI_H_ */
