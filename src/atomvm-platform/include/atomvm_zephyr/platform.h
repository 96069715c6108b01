/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * AtomVM's Zephyr platform: the types libAtomVM's listeners.h expects from a platform, and
 * the API that code outside the VM thread uses to reach the VM.
 */
#ifndef ATOMVM_ZEPHYR_PLATFORM_H_
#define ATOMVM_ZEPHYR_PLATFORM_H_

#include <stdbool.h>
#include <time.h>

#include <zephyr/kernel.h>

#include <atomvm_zephyr/avm.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * An event's identity: whatever a listener and its poster agree on, typically the address
 * of the port's own state or queue. Listeners whose `sender` equals a posted event run.
 */
typedef const void *listener_event_t;

struct EventListener {
	struct ListHead listeners_list_head;
	event_handler_t handler;
	listener_event_t sender;
};

struct ZephyrPlatformData {
	/* Given by sys_signal() and by posters; sys_poll_events() sleeps on it. */
	struct k_sem wake;
	/* Events posted from other threads or ISRs, turned into listener calls by the VM. */
	struct k_msgq events;
	char events_buffer[CONFIG_ATOMVM_EVENT_QUEUE_DEPTH * sizeof(listener_event_t)];
	/* Events lost because the queue was full (readable from any context). */
	atomic_t dropped_events;
};

/**
 * Posts an event for the VM thread, which calls the listeners registered for it.
 *
 * Callable from any thread and from ISRs: it copies one pointer into a fixed queue and gives
 * a semaphore; it never allocates, blocks or touches VM state.
 *
 * @retval 0 posted
 * @retval -ENOBUFS the queue was full; the event is counted in dropped_events
 */
int atomvm_zephyr_post_event(GlobalContext *glb, listener_event_t event);

/** The VM's global context while it runs, else NULL. */
GlobalContext *atomvm_zephyr_global(void);

/** Starts the VM thread (only needed without CONFIG_ATOMVM_AUTOSTART). */
void atomvm_zephyr_start(void);

/** Waits for the VM thread to finish; returns libAtomVM's run result (0 is success). */
int atomvm_zephyr_join(k_timeout_t timeout);

/** The application's .avm: linked into the image or read from a flash partition. */
int atomvm_zephyr_avm_get(const void **data, size_t *size);

/** Where the wall clock (erlang:system_time/1, calendar) was last set from. */
enum atomvm_zephyr_clock_source {
	/** Nothing set it: it counts from the epoch (1970) at boot. */
	ATOMVM_ZEPHYR_CLOCK_UPTIME,
	/** The board's RTC (devicetree alias `rtc`) at boot (CONFIG_ATOMVM_CLOCK_RTC). */
	ATOMVM_ZEPHYR_CLOCK_RTC,
	/** native_sim: the host's wall clock at boot. */
	ATOMVM_ZEPHYR_CLOCK_HOST,
	/** atomvm_zephyr_clock_set() (zephyr_clock:set_system_time/2 from Erlang). */
	ATOMVM_ZEPHYR_CLOCK_SET,
};

enum atomvm_zephyr_clock_source atomvm_zephyr_clock_source(void);

/**
 * Sets the wall clock (Zephyr's realtime clock, which libAtomVM's sys_time() reads) and, with
 * CONFIG_ATOMVM_CLOCK_RTC, the RTC so the time survives a reset.
 *
 * @param ts the time since the epoch (UTC)
 * @param rtc_result 0 when the RTC stored it, -ENOTSUP without CONFIG_ATOMVM_CLOCK_RTC, else
 *        the RTC driver's error (the wall clock is set all the same)
 * @retval 0 the wall clock is set
 * @retval -EINVAL `ts` is not a valid time
 */
int atomvm_zephyr_clock_set(const struct timespec *ts, int *rtc_result);

#ifdef __cplusplus
}
#endif

#endif /* ATOMVM_ZEPHYR_PLATFORM_H_ */
