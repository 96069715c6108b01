/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The platform functions libAtomVM calls (sys.h), for Zephyr.
 *
 * One VM thread runs the scheduler. It sleeps in sys_poll_events() on a semaphore that
 * sys_signal() gives (messages from other threads, timers) and that other threads give when
 * they post events. Posted events are pointers copied into a k_msgq, which is ISR-safe and
 * allocation-free; the VM thread turns each into calls of the listeners registered for it.
 *
 * Time: monotonic time is the kernel's uptime in ticks. The wall clock is Zephyr's realtime
 * clock (uptime plus an offset), seeded at boot from the board's RTC or, on native_sim, from
 * the host's clock, and settable from Erlang (zephyr_clock:set_system_time/2).
 */
/* gmtime_r() */
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <zephyr/init.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/clock.h>
#include <zephyr/sys/timeutil.h>

#if defined(CONFIG_ATOMVM_CLOCK_RTC)
#include <zephyr/device.h>
#include <zephyr/drivers/rtc.h>
#endif
#if defined(CONFIG_BOARD_NATIVE_SIM)
#include <native_rtc.h>
#endif
#if defined(CONFIG_ATOMVM_NATIVE_SIM_CPU_TIME)
#include <posix_board_if.h>
#endif

#include <atomvm_zephyr/platform.h>
#include <atomvm_zephyr/port_driver.h>


LOG_MODULE_REGISTER(atomvm, CONFIG_ATOMVM_LOG_LEVEL);

/* listeners.h calls these; the "polling set" is the listener list itself here. */
static void event_listener_add_to_polling_set(struct EventListener *listener, GlobalContext *glb);
static void listener_event_remove_from_polling_set(listener_event_t event, GlobalContext *glb);
static bool event_listener_is_event(EventListener *listener, listener_event_t event);

#include <listeners.h>

#if defined(CONFIG_ATOMVM_NATIVE_SIM_CPU_TIME)
static void cpu_time_mark(void);
#endif

static struct ZephyrPlatformData *platform_of(GlobalContext *glb)
{
	return (struct ZephyrPlatformData *)glb->platform_data;
}

void sys_init_platform(GlobalContext *glb)
{
	struct ZephyrPlatformData *platform = calloc(1, sizeof(*platform));

	if (platform == NULL) {
		LOG_ERR("out of memory for the platform data");
		AVM_ABORT();
	}
	/* A binary semaphore: many signals while the VM runs collapse into one wake-up. */
	k_sem_init(&platform->wake, 0, 1);
	k_msgq_init(&platform->events, platform->events_buffer, sizeof(listener_event_t),
		    CONFIG_ATOMVM_EVENT_QUEUE_DEPTH);
	glb->platform_data = platform;
#if defined(CONFIG_ATOMVM_NATIVE_SIM_CPU_TIME)
	cpu_time_mark();
#endif
}

void sys_free_platform(GlobalContext *glb)
{
	struct ZephyrPlatformData *platform = platform_of(glb);

	if (platform != NULL) {
		k_msgq_purge(&platform->events);
		free(platform);
		glb->platform_data = NULL;
	}
}

int atomvm_zephyr_post_event(GlobalContext *glb, listener_event_t event)
{
	struct ZephyrPlatformData *platform = platform_of(glb);

	if (k_msgq_put(&platform->events, &event, K_NO_WAIT) != 0) {
		atomic_inc(&platform->dropped_events);
		return -ENOBUFS;
	}
	k_sem_give(&platform->wake);
	return 0;
}

#if defined(CONFIG_ATOMVM_NATIVE_SIM_CPU_TIME)
/*
 * native_sim runs code in zero simulated time: simulated time only passes while the CPU idles.
 * A VM that always has an Erlang process to run never idles, so timers (`receive ... after`
 * in other processes, k_timers of ports) would never fire. Charge the host time the VM spends
 * running Erlang code to simulated time, as a real CPU would spend it: between two polls that
 * did not sleep, hold the CPU for as long as the host ran ahead of simulated time, once that
 * is a tick or more. The marks move after each sleep and each hold.
 */
static uint64_t cpu_mark_host_us;
static uint64_t cpu_mark_sim_us;

static void cpu_time_mark(void)
{
	cpu_mark_host_us = native_rtc_gettime_us(RTC_CLOCK_PSEUDOHOSTREALTIME);
	cpu_mark_sim_us = native_rtc_gettime_us(RTC_CLOCK_BOOT);
}

static void cpu_time_charge(GlobalContext *glb)
{
	/*
	 * Only for Erlang code about to run (the scheduler put it on the running list) or ready
	 * to: a scheduler that polls without sleeping while nothing can run is a bug that must
	 * stay visible (it stops simulated time), not be papered over with held time.
	 */
	if (list_is_empty(&glb->running_processes) && list_is_empty(&glb->ready_processes)) {
		return;
	}
	uint64_t host = native_rtc_gettime_us(RTC_CLOCK_PSEUDOHOSTREALTIME);
	uint64_t sim = native_rtc_gettime_us(RTC_CLOCK_BOOT);
	int64_t ahead = (int64_t)(host - cpu_mark_host_us) - (int64_t)(sim - cpu_mark_sim_us);

	if (ahead >= (int64_t)k_ticks_to_us_ceil64(1)) {
		posix_cpu_hold((uint32_t)MIN(ahead, (int64_t)UINT32_MAX));
		cpu_time_mark();
	}
}
#endif

/*
 * How long to sleep for a wait of `timeout_ms` (> 0): until the next Erlang timer's tick when
 * that comes first, so waits end on the tick the timer is due rather than on a whole ms.
 */
static k_timeout_t wait_timeout(GlobalContext *glb, int timeout_ms)
{
	k_timeout_t timeout = K_MSEC(timeout_ms);
	/* Read on the scheduler thread, the only one that changes it (no SMP). */
	const struct TimerList *timers = &glb->timer_list;

	if (!timer_list_is_empty(timers) && timers->next_timer != 0) {
		uint64_t now = (uint64_t)k_uptime_ticks();

		if (timers->next_timer > now && timers->next_timer - now < (uint64_t)timeout.ticks) {
			timeout = K_TIMEOUT_ABS_TICKS(timers->next_timer);
		}
	}
	return timeout;
}

void sys_poll_events(GlobalContext *glb, int timeout_ms)
{
	struct ZephyrPlatformData *platform = platform_of(glb);

	if (timeout_ms != 0 && k_msgq_num_used_get(&platform->events) == 0) {
		(void)k_sem_take(&platform->wake,
				 timeout_ms < 0 ? K_FOREVER : wait_timeout(glb, timeout_ms));
#if defined(CONFIG_ATOMVM_NATIVE_SIM_CPU_TIME)
		cpu_time_mark();
	} else if (timeout_ms == 0) {
		cpu_time_charge(glb);
#endif
	}

	listener_event_t event;

	while (k_msgq_get(&platform->events, &event, K_NO_WAIT) == 0) {
		struct ListHead *listeners = synclist_wrlock(&glb->listeners);

		if (!process_listener_handler(glb, event, listeners, NULL, NULL)) {
			LOG_DBG("no listener for event %p", event);
		}
		synclist_unlock(&glb->listeners);
	}
}

void sys_signal(GlobalContext *glb)
{
	k_sem_give(&platform_of(glb)->wake);
}

static void event_listener_add_to_polling_set(struct EventListener *listener, GlobalContext *glb)
{
	ARG_UNUSED(listener);
	ARG_UNUSED(glb);
}

static void listener_event_remove_from_polling_set(listener_event_t event, GlobalContext *glb)
{
	ARG_UNUSED(event);
	ARG_UNUSED(glb);
}

static bool event_listener_is_event(EventListener *listener, listener_event_t event)
{
	return listener->sender == event;
}

void sys_register_listener(GlobalContext *global, struct EventListener *listener)
{
	struct ListHead *listeners = synclist_wrlock(&global->listeners);

	list_append(listeners, &listener->listeners_list_head);
	synclist_unlock(&global->listeners);
	sys_signal(global);
}

void sys_unregister_listener(GlobalContext *global, struct EventListener *listener)
{
	(void)synclist_wrlock(&global->listeners);
	list_remove(&listener->listeners_list_head);
	synclist_unlock(&global->listeners);
	sys_signal(global);
}

/* Zephyr has no select(): file-descriptor events are not supported. */
void sys_register_select_event(GlobalContext *global, ErlNifEvent event, bool is_write)
{
	ARG_UNUSED(global);
	ARG_UNUSED(event);
	ARG_UNUSED(is_write);
}

void sys_unregister_select_event(GlobalContext *global, ErlNifEvent event, bool is_write)
{
	ARG_UNUSED(global);
	ARG_UNUSED(event);
	ARG_UNUSED(is_write);
}

/* Where the wall clock came from (enum atomvm_zephyr_clock_source). */
static atomic_t clock_source = ATOMIC_INIT(ATOMVM_ZEPHYR_CLOCK_UPTIME);

#if defined(CONFIG_ATOMVM_CLOCK_RTC)
static const struct device *const rtc_dev = DEVICE_DT_GET(DT_ALIAS(rtc));

/* The RTC's time; fails (-ENODATA) when it was never set, as after power loss. */
static int rtc_read(struct timespec *ts)
{
	struct rtc_time now;

	if (!device_is_ready(rtc_dev)) {
		return -ENODEV;
	}
	int ret = rtc_get_time(rtc_dev, &now);

	if (ret != 0) {
		return ret;
	}
	ts->tv_sec = (time_t)timeutil_timegm64(rtc_time_to_tm(&now));
	ts->tv_nsec = now.tm_nsec;
	return 0;
}

static int rtc_write(const struct timespec *ts)
{
	struct tm tm;
	time_t sec = ts->tv_sec;

	if (!device_is_ready(rtc_dev)) {
		return -ENODEV;
	}
	if (gmtime_r(&sec, &tm) == NULL) {
		return -EINVAL;
	}
	struct rtc_time t = {
		.tm_sec = tm.tm_sec,
		.tm_min = tm.tm_min,
		.tm_hour = tm.tm_hour,
		.tm_mday = tm.tm_mday,
		.tm_mon = tm.tm_mon,
		.tm_year = tm.tm_year,
		.tm_wday = tm.tm_wday,
		.tm_yday = tm.tm_yday,
		.tm_isdst = -1,
		.tm_nsec = (int)ts->tv_nsec,
	};

	return rtc_set_time(rtc_dev, &t);
}
#endif

/*
 * Seeds the wall clock once at boot, after the drivers: from the RTC when it holds a time,
 * else from the host's clock on native_sim, else it counts from the epoch at boot.
 */
static int clock_seed(void)
{
	struct timespec ts;

#if defined(CONFIG_ATOMVM_CLOCK_RTC)
	int ret = rtc_read(&ts);

	if (ret == 0 && sys_clock_settime(SYS_CLOCK_REALTIME, &ts) == 0) {
		atomic_set(&clock_source, ATOMVM_ZEPHYR_CLOCK_RTC);
		return 0;
	}
	LOG_INF("the RTC holds no time (%d): the wall clock is not from it", ret);
#endif
#if defined(CONFIG_BOARD_NATIVE_SIM)
	uint32_t nsec;
	uint64_t sec;

	/* native_sim's RTC model: the host's wall clock at boot plus simulated time since. */
	native_rtc_gettime(RTC_CLOCK_REALTIME, &nsec, &sec);
	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = (long)nsec;
	if (sys_clock_settime(SYS_CLOCK_REALTIME, &ts) == 0) {
		atomic_set(&clock_source, ATOMVM_ZEPHYR_CLOCK_HOST);
	}
#endif
	ARG_UNUSED(ts);
	return 0;
}

SYS_INIT(clock_seed, APPLICATION, CONFIG_APPLICATION_INIT_PRIORITY);

enum atomvm_zephyr_clock_source atomvm_zephyr_clock_source(void)
{
	return (enum atomvm_zephyr_clock_source)atomic_get(&clock_source);
}

int atomvm_zephyr_clock_set(const struct timespec *ts, int *rtc_result)
{
	int ret = sys_clock_settime(SYS_CLOCK_REALTIME, ts);

	if (ret != 0) {
		return ret;
	}
	atomic_set(&clock_source, ATOMVM_ZEPHYR_CLOCK_SET);
#if defined(CONFIG_ATOMVM_CLOCK_RTC)
	*rtc_result = rtc_write(ts);
	if (*rtc_result != 0) {
		LOG_WRN("the wall clock is set, but the RTC could not store it (%d)", *rtc_result);
	}
#else
	*rtc_result = -ENOTSUP;
#endif
	return 0;
}

void sys_time(struct timespec *t)
{
	(void)sys_clock_gettime(SYS_CLOCK_REALTIME, t);
}

void sys_monotonic_time(struct timespec *t)
{
	(void)sys_clock_gettime(SYS_CLOCK_MONOTONIC, t);
}

/* Monotonic time in kernel ticks: cheap to read, converted only when asked. */
uint64_t sys_monotonic_time_u64(void)
{
	return (uint64_t)k_uptime_ticks();
}

uint64_t sys_monotonic_time_ms_to_u64(uint64_t ms)
{
	return k_ms_to_ticks_ceil64(ms);
}

/*
 * libAtomVM turns the ticks until the next timer into a wait in ms with this: round up, so a
 * timer due in less than a ms (ticks faster than 1 kHz) is a 1 ms wait, never 0 (a poll that
 * does not sleep, i.e. a busy-wait until the timer is due).
 */
uint64_t sys_monotonic_time_u64_to_ms(uint64_t t)
{
	return k_ticks_to_ms_ceil64(t);
}

enum OpenAVMResult sys_open_avm_from_file(GlobalContext *global, const char *path,
					  struct AVMPackData **data)
{
	ARG_UNUSED(global);
	ARG_UNUSED(data);
	LOG_WRN("opening %s: loading .avm files from a file system is not supported", path);
	return AVM_OPEN_NOT_SUPPORTED;
}

Module *sys_load_module_from_file(GlobalContext *global, const char *path)
{
	ARG_UNUSED(global);
	LOG_WRN("loading %s: loading modules from a file system is not supported", path);
	return NULL;
}

Context *sys_create_port(GlobalContext *glb, const char *driver_name, term opts)
{
	const struct atomvm_port_driver *driver = atomvm_port_driver_find(driver_name);

	if (driver == NULL) {
		LOG_WRN("no port driver named \"%s\" in this image", driver_name);
		return NULL;
	}
	return driver->create_port(glb, opts);
}

term sys_get_info(Context *ctx, term key)
{
	ARG_UNUSED(ctx);
	ARG_UNUSED(key);
	return UNDEFINED_ATOM;
}
