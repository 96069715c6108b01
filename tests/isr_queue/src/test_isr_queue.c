/* SPDX-License-Identifier: Apache-2.0 */

/*
 * isr-queue on real interrupts. The Rust handler isrq_test_isr() pushes sequence numbers into a
 * static SpscQueue (capacity N) and gives a semaphore; a drain thread runs the Rust drain loop
 * isrq_drain(), which checks the sequence, and the cases assert on its report and on the
 * queue's statistics.
 *
 * The interrupt is raised by software, from the test thread and from k_timer expiry functions
 * (which run in the system timer's ISR):
 *  - Cortex-M: the handler is connected with IRQ_CONNECT to an NVIC line that no driver uses,
 *    pended with NVIC_SetPendingIRQ() (Zephyr's own interrupt tests avoid STIR on QEMU's
 *    lm3s6965).
 *  - native_sim: the handler runs in the GPIO callback of an input pin of the board's
 *    zephyr,gpio-emul controller (/zephyr,user irq-gpios, boards/native_sim_native_64.overlay),
 *    whose interrupt is configured for rising edges. gpio-emul runs the callbacks of an edge
 *    inside gpio_emul_input_set(), in the caller's context, so edges are only ever made from
 *    interrupt context: directly in the k_timer expiry functions, and through irq_offload()
 *    (a software interrupt of native_sim's interrupt controller) from the test thread. The
 *    callback then sees what a port's handler sees: k_is_in_isr(), and the kernel rescheduling
 *    when the outermost ISR returns.
 * Either way the handler counts the invocations in which k_is_in_isr() was false, and every
 * case asserts that there were none.
 *
 * Nothing sleeps and hopes: each case waits on semaphores or joins the drain thread with
 * timeouts, and checks exact counts.
 */

#include <string.h>

#include <zephyr/irq.h>
#include <zephyr/kernel.h>
#include <zephyr/ztest.h>

#if defined(CONFIG_CPU_CORTEX_M)
#include <cmsis_core.h>
/* The second-highest line: no device in the devicetrees of lm3s6965 (41) or mps2/an385 (30)
 * uses it, and suite_setup() checks that nothing enabled it.
 */
#define TEST_IRQ (CONFIG_NUM_IRQS - 2)
/* Below the system timer (Zephyr priority 0 on Cortex-M), so raising the line from a timer
 * expiry function tail-chains the handler after the timer ISR instead of nesting it.
 */
#define TEST_IRQ_PRIO 2
#elif defined(CONFIG_ARCH_POSIX)
#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/gpio/gpio_emul.h>
#include <zephyr/irq_offload.h>

#define ZEPHYR_USER_NODE DT_PATH(zephyr_user)
BUILD_ASSERT(DT_NODE_HAS_PROP(ZEPHYR_USER_NODE, irq_gpios),
	     "give /zephyr,user an irq-gpios pin in boards/<board>.overlay");
BUILD_ASSERT(DT_NODE_HAS_COMPAT(DT_GPIO_CTLR(ZEPHYR_USER_NODE, irq_gpios), zephyr_gpio_emul),
	     "irq-gpios must be a pin of a zephyr,gpio-emul controller");

static const struct gpio_dt_spec irq_pin = GPIO_DT_SPEC_GET(ZEPHYR_USER_NODE, irq_gpios);
static struct gpio_callback irq_pin_cb;
/* gpio_emul_input_set() failures; written only from interrupt context. */
static atomic_t edge_errors;
#else
#error "isr_queue: add a way to raise an interrupt from software on this architecture"
#endif

#include "isr_queue_ffi.h"

/* The drain thread runs at the module's drain priority and must preempt the test thread, as
 * it preempts the VM thread in a port.
 */
#define DRAIN_PRIO CONFIG_ATOMVM_PORTS_DRAIN_THREAD_PRIORITY
BUILD_ASSERT(DRAIN_PRIO < CONFIG_ZTEST_THREAD_PRIORITY,
	     "the drain thread must have a higher priority than the test thread");

#define WAIT_MS 1000

#if defined(CONFIG_ARCH_POSIX)
/* The pin's GPIO callback: the producer. */
static void irq_pin_edge(const struct device *port, struct gpio_callback *cb,
			 gpio_port_pins_t pins)
{
	ARG_UNUSED(port);
	ARG_UNUSED(cb);

	if (pins & BIT(irq_pin.pin)) {
		isrq_test_isr(NULL);
	}
}

/* One rising edge, from interrupt context: low (no interrupt), then high, which runs
 * irq_pin_edge() before gpio_emul_input_set() returns.
 */
static void raise_edge(void)
{
	if (gpio_emul_input_set(irq_pin.port, irq_pin.pin, 0) != 0 ||
	    gpio_emul_input_set(irq_pin.port, irq_pin.pin, 1) != 0) {
		atomic_inc(&edge_errors);
	}
}

static void raise_edge_offloaded(const void *arg)
{
	ARG_UNUSED(arg);
	raise_edge();
}
#endif

/* Raises the interrupt once. From a thread, the handler has run (and, if it readied the
 * drain thread, so has that) when this returns.
 */
static void trigger_irq(void)
{
#if defined(CONFIG_CPU_CORTEX_M)
	NVIC_SetPendingIRQ(TEST_IRQ);
	/* Complete the write and let the exception be taken before the next instruction, so
	 * that from a thread the handler has run when this returns.
	 */
	__DSB();
	__ISB();
#else
	if (k_is_in_isr()) {
		raise_edge();
	} else {
		/* Runs raise_edge() in the ISR of a software interrupt; the kernel switches to
		 * the drain thread, if the push readied it, as that ISR returns.
		 */
		irq_offload(raise_edge_offloaded, NULL);
	}
#endif
}

/* --- k_timer source ------------------------------------------------------------------- */

static atomic_t timer_pends;
static atomic_t timer_target;
static K_SEM_DEFINE(timer_done, 0, 1);

/* Runs in the system timer's ISR. On Cortex-M the handler runs when that ISR returns (lower
 * priority: tail-chained); on native_sim the GPIO callback runs inside trigger_irq().
 */
static void timer_expiry(struct k_timer *timer)
{
	trigger_irq();
	if (atomic_inc(&timer_pends) + 1 == atomic_get(&timer_target)) {
		k_timer_stop(timer);
		k_sem_give(&timer_done);
	}
}

static K_TIMER_DEFINE(trigger_timer, timer_expiry, NULL);

/* Raises the interrupt from `count` consecutive expiries, one tick apart. */
static void start_timer_source(uint32_t count)
{
	atomic_set(&timer_pends, 0);
	atomic_set(&timer_target, count);
	k_sem_reset(&timer_done);
	k_timer_start(&trigger_timer, K_TICKS(1), K_TICKS(1));
}

static void wait_timer_source(uint32_t count)
{
	uint32_t tick_ms = k_ticks_to_ms_ceil32(1);

	zassert_ok(k_sem_take(&timer_done, K_MSEC(4 * count * tick_ms + WAIT_MS)),
		   "the timer stopped after %ld of %u expiries", atomic_get(&timer_pends), count);
	zassert_equal((uint32_t)atomic_get(&timer_pends), count);
}

/* --- drain thread ------------------------------------------------------------------------ */

static K_THREAD_STACK_DEFINE(drain_stack, CONFIG_ATOMVM_PORTS_DRAIN_THREAD_STACK_SIZE);
static struct k_thread drain_thread;
static bool drain_started;
static bool drain_hold;
static struct isrq_drain_params drain_params;
static struct isrq_drain_report drain_report;
static K_SEM_DEFINE(drain_go, 0, 1);

static void drain_entry(void *p1, void *p2, void *p3)
{
	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);

	if (drain_hold && k_sem_take(&drain_go, K_MSEC(10 * WAIT_MS)) != 0) {
		return; /* drain_report stays zeroed: claimed == 0 fails the case */
	}
	drain_report = isrq_drain(drain_params);
}

/* Starts the drain thread; with `hold`, it waits for drain_go before draining anything. */
static void start_drain(struct isrq_drain_params params, bool hold)
{
	drain_params = params;
	drain_hold = hold;
	memset(&drain_report, 0, sizeof(drain_report));
	k_sem_reset(&drain_go);
	k_thread_create(&drain_thread, drain_stack, K_THREAD_STACK_SIZEOF(drain_stack),
			drain_entry, NULL, NULL, NULL, DRAIN_PRIO, 0, K_NO_WAIT);
	k_thread_name_set(&drain_thread, "isrq_drain");
	drain_started = true;
}

static void join_drain(void)
{
	zassert_ok(k_thread_join(&drain_thread, K_MSEC(10 * WAIT_MS)), "drain thread hung");
	drain_started = false;
	zassert_equal(drain_report.claimed, 1, "drain could not claim the consumer");
}

/* --- common checks ------------------------------------------------------------------------ */

static void assert_isr_sound(uint32_t runs)
{
	struct isrq_isr_counters c = isrq_isr_counters();

	zassert_equal(c.runs, runs, "handler ran %u times, expected %u", c.runs, runs);
	zassert_equal(c.not_in_isr, 0, "handler ran outside interrupt context");
	zassert_equal(c.claim_failures, 0, "handler found the producer role taken");
#if defined(CONFIG_ARCH_POSIX)
	zassert_equal(atomic_get(&edge_errors), 0, "gpio_emul_input_set() failed %ld times",
		      atomic_get(&edge_errors));
#endif
}

static void assert_stats(struct isrq_stats s, uint32_t pushed, uint32_t dropped,
			 uint32_t high_water, uint32_t len)
{
	zassert_equal(s.pushed, pushed, "pushed %u, expected %u", s.pushed, pushed);
	zassert_equal(s.dropped, dropped, "dropped %u, expected %u", s.dropped, dropped);
	zassert_equal(s.high_water, high_water, "high water %u, expected %u", s.high_water,
		      high_water);
	zassert_equal(s.len, len, "len %u, expected %u", s.len, len);
}

/* Every item arrived once, in order. */
static void assert_no_loss(const struct isrq_drain_report *r, uint32_t expected)
{
	zassert_equal(r->timed_out, 0, "drain timed out after %u of %u items", r->delivered,
		      expected);
	zassert_equal(r->delivered, expected, "delivered %u, expected %u", r->delivered,
		      expected);
	zassert_equal(r->gaps, 0, "%u gaps (%u items lost), first after %u items", r->gaps,
		      r->skipped, r->first_gap_at);
	zassert_equal(r->backwards, 0, "%u duplicated or reordered items", r->backwards);
}

/* --- cases ------------------------------------------------------------------------------- */

/*
 * The test thread raises the interrupt T times. Each push gives the semaphore, the drain thread
 * (higher priority) runs as the handler returns and drains that one item: the queue never
 * holds two items and every push is its own wakeup.
 */
ZTEST(isr_queue, test_thread_irq_wakes_drain_per_push)
{
	const uint32_t t = 2000;

	start_drain((struct isrq_drain_params){
			    .expected = t, .first_seq = 0, .batch = 8, .timeout_ms = WAIT_MS},
		    false);
	for (uint32_t i = 0; i < t; i++) {
		trigger_irq();
		zassert_equal(isrq_isr_counters().runs, i + 1, "raise %u did not run the handler",
			      i);
	}
	join_drain();

	assert_no_loss(&drain_report, t);
	zassert_equal(drain_report.wakeups, t);
	zassert_equal(drain_report.empty_wakeups, 0);
	zassert_equal(drain_report.max_batch, 1);
	assert_isr_sound(t);
	assert_stats(isrq_stats(), t, 0, 1, 0);
}

/*
 * A k_timer raises the interrupt every tick while the test thread raises it too, and the drain
 * thread spends half a tick on each item inside a drain() iteration, whose slots are released
 * only when the iteration ends. Timer pushes therefore land while the consumer holds items,
 * and thread pushes land between drains.
 */
ZTEST(isr_queue, test_timer_and_thread_irqs_interleave_with_drain)
{
	const uint32_t from_timer = 64;
	const uint32_t from_thread = 64;
	const uint32_t total = from_timer + from_thread;
	const uint32_t tick_us = k_ticks_to_us_floor32(1);

	start_drain((struct isrq_drain_params){.expected = total,
					       .first_seq = 0,
					       .batch = 0,
					       .item_work_us = tick_us / 2,
					       .timeout_ms = WAIT_MS},
		    false);
	start_timer_source(from_timer);
	for (uint32_t i = 0; i < from_thread; i++) {
		trigger_irq();
		k_busy_wait(tick_us / 4);
	}
	wait_timer_source(from_timer);
	join_drain();

	assert_no_loss(&drain_report, total);
	assert_isr_sound(total);

	struct isrq_stats s = isrq_stats();

	zassert_equal(s.pushed, total);
	zassert_equal(s.dropped, 0);
	zassert_equal(s.len, 0);
	zassert_true(s.high_water >= 2,
		     "no push found an item still held by the drain: nothing interleaved");
	TC_PRINT("interleaved: high water %u, wakeups %u (%u empty), largest drain %u\n",
		 s.high_water, drain_report.wakeups, drain_report.empty_wakeups,
		 drain_report.max_batch);
}

/*
 * The test thread locks the scheduler and raises the interrupt M > N times: the handler runs each
 * time, but the drain thread cannot. The queue keeps the first N items and drops exactly the
 * M - N newer ones. After unlocking, the drain thread empties it in batches of 5, and K more
 * interrupts are delivered normally.
 */
ZTEST(isr_queue, test_starved_by_sched_lock_drops_exactly)
{
	const uint32_t n = isrq_capacity();
	const uint32_t m = 3 * n + 5;
	const uint32_t k = 2 * n + 3;
	struct isrq_stats starved;
	struct isrq_isr_counters starved_isr;
	struct isrq_stats after_unlock;

	start_drain((struct isrq_drain_params){
			    .expected = n + k, .first_seq = 0, .batch = 5, .timeout_ms = WAIT_MS},
		    false);

	k_sched_lock();
	for (uint32_t i = 0; i < m; i++) {
		trigger_irq();
	}
	starved = isrq_stats();
	starved_isr = isrq_isr_counters();
	k_sched_unlock(); /* the drain thread runs here */
	after_unlock = isrq_stats();

	for (uint32_t i = 0; i < k; i++) {
		trigger_irq();
	}
	join_drain();

	zassert_equal(starved_isr.runs, m);
	assert_stats(starved, m, m - n, n, n);
	zassert_equal(after_unlock.len, 0, "the drain thread did not run on unlock");

	/* Delivered: 0..N-1, then M..M+K-1; the dropped M - N are the only gap. */
	const struct isrq_drain_report *r = &drain_report;

	zassert_equal(r->timed_out, 0);
	zassert_equal(r->delivered, n + k);
	zassert_equal(r->gaps, 1);
	zassert_equal(r->first_gap_at, n);
	zassert_equal(r->skipped, m - n);
	zassert_equal(r->backwards, 0);
	zassert_equal(r->max_batch, 5);
	/* The first give of the locked phase handed the semaphore to the waiting drain thread,
	 * the other M - 1 coalesced into one count: one wakeup for the N items, one that finds
	 * the queue empty (the documented spurious wakeup), then one per push.
	 */
	zassert_equal(r->wakeups, 2 + k, "%u wakeups (%u empty)", r->wakeups, r->empty_wakeups);
	zassert_equal(r->empty_wakeups, 1);

	struct isrq_stats s = isrq_stats();

	assert_stats(s, m + k, m - n, n, 0);
	zassert_equal(s.pushed, r->delivered + s.dropped);
	assert_isr_sound(m + k);
}

/*
 * The drain thread waits on a semaphore the test holds while a k_timer raises the interrupt M > N
 * times from the timer ISR. Exactly M - N pushes are dropped; released, the drain thread
 * takes the N kept items in one wakeup.
 */
ZTEST(isr_queue, test_starved_by_hold_off_timer_drops_exactly)
{
	const uint32_t n = isrq_capacity();
	const uint32_t m = 2 * n + 3;

	start_drain((struct isrq_drain_params){
			    .expected = n, .first_seq = 0, .batch = 8, .timeout_ms = WAIT_MS},
		    true);
	start_timer_source(m);
	/* The last expiry raises the interrupt and then gives timer_done; the handler has run
	 * by the time the timer ISR returns, before this thread does.
	 */
	wait_timer_source(m);
	assert_isr_sound(m);
	assert_stats(isrq_stats(), m, m - n, n, n);

	k_sem_give(&drain_go);
	join_drain();

	assert_no_loss(&drain_report, n);
	zassert_equal(drain_report.wakeups, 1);
	zassert_equal(drain_report.max_batch, 8);

	struct isrq_stats s = isrq_stats();

	assert_stats(s, m, m - n, n, 0);
	zassert_equal(s.pushed, drain_report.delivered + s.dropped);
}

/* --- suite ------------------------------------------------------------------------------- */

static void *suite_setup(void)
{
#if defined(CONFIG_CPU_CORTEX_M)
	zassert_false(irq_is_enabled(TEST_IRQ), "IRQ %d is already in use", TEST_IRQ);
	IRQ_CONNECT(TEST_IRQ, TEST_IRQ_PRIO, isrq_test_isr, NULL, 0);
	irq_enable(TEST_IRQ);
	TC_PRINT("isr_queue: IRQ %d, capacity %u, %u ticks/s\n", TEST_IRQ, isrq_capacity(),
		 CONFIG_SYS_CLOCK_TICKS_PER_SEC);
#else
	zassert_true(gpio_is_ready_dt(&irq_pin), "%s is not ready", irq_pin.port->name);
	zassert_ok(gpio_pin_configure_dt(&irq_pin, GPIO_INPUT));
	/* Start low; with rising-edge interrupts, the low half of each edge raises nothing. */
	zassert_ok(gpio_emul_input_set(irq_pin.port, irq_pin.pin, 0));
	gpio_init_callback(&irq_pin_cb, irq_pin_edge, BIT(irq_pin.pin));
	zassert_ok(gpio_add_callback_dt(&irq_pin, &irq_pin_cb));
	zassert_ok(gpio_pin_interrupt_configure_dt(&irq_pin, GPIO_INT_EDGE_RISING));
	TC_PRINT("isr_queue: %s pin %u rising edges, capacity %u, %u ticks/s\n",
		 irq_pin.port->name, irq_pin.pin, isrq_capacity(), CONFIG_SYS_CLOCK_TICKS_PER_SEC);
#endif
	return NULL;
}

static void before_each(void *fixture)
{
	ARG_UNUSED(fixture);
	zassert_true(isrq_reset(), "the consumer role is still held");
#if defined(CONFIG_ARCH_POSIX)
	atomic_clear(&edge_errors);
#endif
}

static void after_each(void *fixture)
{
	ARG_UNUSED(fixture);
	k_timer_stop(&trigger_timer);
	if (drain_started) {
		/* A failed case: do not leave its drain thread running into the next one. */
		k_thread_abort(&drain_thread);
		drain_started = false;
	}
}

ZTEST_SUITE(isr_queue, NULL, suite_setup, before_each, after_each, NULL);
