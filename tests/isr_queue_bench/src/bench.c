/* SPDX-License-Identifier: Apache-2.0 */

/*
 * Cycles per operation of isr-queue (Rust, lib.rs) next to Zephyr's ring_buf and k_msgq, in
 * one image. Every row times ITEMS operations on uint32_t items with k_cycle_get_32() around
 * one loop, IRQs locked, and keeps the minimum over ROUNDS rounds; the set-up of each round
 * (emptying or filling the queue) is not timed.
 *
 * Under QEMU with -icount every instruction takes the same virtual time, so these are
 * instruction counts in k_cycle_get_32() units, not a model of a real core's pipeline or
 * memory. This is a benchmark: the numbers are printed, not asserted.
 */

#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/ring_buffer.h>

#define ITEMS  1024
#define BATCH  64
#define ROUNDS 8
/* Cycle counts are kept in hundredths. */
#define FRAC   100

uint32_t isrq_bench_push(uint32_t n);
uint32_t isrq_bench_isr_push(uint32_t n);
uint32_t isrq_bench_pop(uint32_t n);
uint32_t isrq_bench_push_pop(uint32_t n);
uint32_t isrq_bench_drain_into64(uint32_t n);
uint32_t isrq_bench_drain_iter64(uint32_t n);
bool isrq_bench_clear(void);
uint32_t isrq_bench_capacity(void);
void bench_main(void);

RING_BUF_DECLARE(rb, ITEMS * sizeof(uint32_t));
K_MSGQ_DEFINE(mq, sizeof(uint32_t), ITEMS, sizeof(uint32_t));

static bool failed;

/* --- ring_buf ------------------------------------------------------------------------- */

static uint32_t rb_put(uint32_t n)
{
	uint32_t moved = 0;

	for (uint32_t i = 0; i < n; i++) {
		moved += ring_buf_put(&rb, (const uint8_t *)&i, sizeof(i)) / sizeof(i);
	}
	return moved;
}

static uint32_t rb_get(uint32_t n)
{
	uint32_t moved = 0;
	uint32_t item;

	for (uint32_t i = 0; i < n; i++) {
		moved += ring_buf_get(&rb, (uint8_t *)&item, sizeof(item)) / sizeof(item);
	}
	return moved;
}

static uint32_t rb_put_get(uint32_t n)
{
	uint32_t moved = 0;
	uint32_t item;

	for (uint32_t i = 0; i < n; i++) {
		(void)ring_buf_put(&rb, (const uint8_t *)&i, sizeof(i));
		moved += ring_buf_get(&rb, (uint8_t *)&item, sizeof(item)) / sizeof(item);
	}
	return moved;
}

static uint32_t rb_get64(uint32_t n)
{
	uint32_t moved = 0;
	uint32_t batch[BATCH];

	for (uint32_t i = 0; i < n / BATCH; i++) {
		moved += ring_buf_get(&rb, (uint8_t *)batch, sizeof(batch)) / sizeof(batch[0]);
	}
	return moved;
}

static void rb_empty(void)
{
	ring_buf_reset(&rb);
}

static void rb_full(void)
{
	ring_buf_reset(&rb);
	(void)rb_put(ITEMS);
}

/* --- k_msgq --------------------------------------------------------------------------- */

static uint32_t mq_put(uint32_t n)
{
	uint32_t moved = 0;

	for (uint32_t i = 0; i < n; i++) {
		moved += k_msgq_put(&mq, &i, K_NO_WAIT) == 0;
	}
	return moved;
}

static uint32_t mq_get(uint32_t n)
{
	uint32_t moved = 0;
	uint32_t item;

	for (uint32_t i = 0; i < n; i++) {
		moved += k_msgq_get(&mq, &item, K_NO_WAIT) == 0;
	}
	return moved;
}

static uint32_t mq_put_get(uint32_t n)
{
	uint32_t moved = 0;
	uint32_t item;

	for (uint32_t i = 0; i < n; i++) {
		(void)k_msgq_put(&mq, &i, K_NO_WAIT);
		moved += k_msgq_get(&mq, &item, K_NO_WAIT) == 0;
	}
	return moved;
}

static void mq_empty(void)
{
	k_msgq_purge(&mq);
}

static void mq_full(void)
{
	k_msgq_purge(&mq);
	(void)mq_put(ITEMS);
}

/* --- isr-queue set-up ------------------------------------------------------------------ */

static void q_empty(void)
{
	if (!isrq_bench_clear()) {
		failed = true;
	}
}

static void q_full(void)
{
	q_empty();
	if (isrq_bench_push(ITEMS) != ITEMS) {
		failed = true;
	}
}

/* --- timing ----------------------------------------------------------------------------- */

/* Hundredths of a cycle per item; 0 if the loop did not move ITEMS items. */
static uint32_t measure(const char *name, void (*setup)(void), uint32_t (*op)(uint32_t))
{
	uint32_t best = UINT32_MAX;

	for (int r = 0; r < ROUNDS; r++) {
		setup();

		unsigned int key = irq_lock();
		uint32_t start = k_cycle_get_32();
		uint32_t moved = op(ITEMS);
		uint32_t cycles = k_cycle_get_32() - start;

		irq_unlock(key);
		if (moved != ITEMS) {
			printk("isr_queue_bench: %s moved %u of %u items\n", name, moved, ITEMS);
			failed = true;
			return 0;
		}
		best = MIN(best, cycles);
	}
	return (uint32_t)((uint64_t)best * FRAC / ITEMS);
}

/* --- report ----------------------------------------------------------------------------- */

static void print_fixed(uint32_t hundredths, int width)
{
	printk("%*u.%02u", width - 3, hundredths / FRAC, hundredths % FRAC);
}

static void print_value(uint32_t hundredths)
{
	if (hundredths == 0) {
		printk("%10s", "-");
	} else {
		print_fixed(hundredths, 10);
	}
}

/* `num / den`, in hundredths. */
static uint32_t ratio(uint32_t num, uint32_t den)
{
	return den == 0 ? 0 : (uint32_t)(((uint64_t)num * FRAC + den / 2) / den);
}

static void print_row(const char *name, uint32_t ours, uint32_t ring, uint32_t msgq)
{
	printk("%-26s", name);
	print_value(ours);
	print_value(ring);
	print_value(msgq);
	printk("  ");
	print_value(ratio(ours, ring));
	print_value(ratio(ours, msgq));
	printk("\n");
}

static void print_target(const char *what, uint32_t r, uint32_t limit)
{
	printk("target %s: ", what);
	print_fixed(r, 5);
	printk(" (<= ");
	print_fixed(limit, 4);
	printk("): %s\n", r <= limit ? "met" : "MISSED");
}

void bench_main(void)
{
	if (isrq_bench_capacity() != ITEMS) {
		printk("isr_queue_bench: queue capacity %u, expected %u\n", isrq_bench_capacity(),
		       ITEMS);
		return;
	}

	uint32_t q_push = measure("push", q_empty, isrq_bench_push);
	uint32_t q_isr_push = measure("isr push", q_empty, isrq_bench_isr_push);
	uint32_t q_pop = measure("pop", q_full, isrq_bench_pop);
	uint32_t q_push_pop = measure("push+pop", q_empty, isrq_bench_push_pop);
	uint32_t q_drain = measure("drain_into 64", q_full, isrq_bench_drain_into64);
	uint32_t q_drain_iter = measure("drain() 64", q_full, isrq_bench_drain_iter64);

	uint32_t r_put = measure("ring_buf_put", rb_empty, rb_put);
	uint32_t r_get = measure("ring_buf_get", rb_full, rb_get);
	uint32_t r_put_get = measure("ring_buf put+get", rb_empty, rb_put_get);
	uint32_t r_get64 = measure("ring_buf_get 64", rb_full, rb_get64);

	uint32_t m_put = measure("k_msgq_put", mq_empty, mq_put);
	uint32_t m_get = measure("k_msgq_get", mq_full, mq_get);
	uint32_t m_put_get = measure("k_msgq put+get", mq_empty, mq_put_get);

	printk("\nisr_queue_bench on %s: cycles per item (k_cycle_get_32 at %u Hz), %u-byte items,\n"
	       "min of %u rounds of %u, IRQs locked; '-': no such operation\n",
	       CONFIG_BOARD_TARGET, sys_clock_hw_cycles_per_sec(), (unsigned int)sizeof(uint32_t),
	       ROUNDS, ITEMS);
	printk("%-26s%10s%10s%10s  %10s%10s\n", "operation", "ours", "ring_buf", "k_msgq",
	       "/ring_buf", "/k_msgq");
	print_row("push (held producer)", q_push, r_put, m_put);
	print_row("push (ISR: claim each)", q_isr_push, r_put, m_put);
	print_row("pop", q_pop, r_get, m_get);
	print_row("push+pop", q_push_pop, r_put_get, m_put_get);
	print_row("drain_into 64, per item", q_drain, r_get64, 0);
	print_row("drain() 64, per item", q_drain_iter, r_get64, 0);
	printk("drain rows: ring_buf is one ring_buf_get() of 64 items; k_msgq has no batch get\n");
#ifdef CONFIG_QEMU_ICOUNT
	/* Virtual time advances 2^shift ns per instruction. */
	uint32_t instr_per_100_cycles = (uint32_t)(100ULL * NSEC_PER_SEC /
						   BIT(CONFIG_QEMU_ICOUNT_SHIFT) /
						   sys_clock_hw_cycles_per_sec());

	printk("QEMU -icount shift=%d: 1 cycle = ", CONFIG_QEMU_ICOUNT_SHIFT);
	print_fixed(instr_per_100_cycles, 4);
	printk(" instructions\n");
#endif
	print_target("ours push+pop / k_msgq put+get", ratio(q_push_pop, m_put_get), 25);
	print_target("ours drain_into 64 / single pop, per item", ratio(q_drain, q_pop), 25);
	printk("isr_queue_bench: %s\n", failed ? "FAILED (see above)" : "done");
}
