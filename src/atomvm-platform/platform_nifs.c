/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * NIFs of the Zephyr platform:
 *
 *  - atomvm:platform() -> zephyr
 *
 *  - atomvm_port:open(Name, Options) -> {ok, Port} | {error, Reason}
 *
 *    Opens the port driver `Name` (an atom, a string or a binary) with `Options` (a proplist
 *    or a map), as open_port({spawn, Name}, Options) does, but tells why it failed instead of
 *    raising badarg: `Reason` is the driver's own (e.g. `busy`, `no_device`,
 *    `{mismatch, width}` from the Rust ports, see struct atomvm_port_driver's open_error),
 *    `badarg` from a driver that gives none or for a bad `Name` or `Options`, and
 *    `no_driver` when the image has no driver of that name. Like open_port/2 it does not
 *    link the port to the caller; the ports' Erlang modules do.
 *
 *  - atomvm:random() -> 0..4294967295 and atomvm:rand_bytes(Len) -> binary()
 *
 *    From Zephyr's CSPRNG (sys_csrand_get(), the board's entropy driver), with
 *    CONFIG_ATOMVM_RANDOM. Len must be a non-negative integer, else badarg. Without an entropy
 *    source both raise error:no_entropy_source; a failing driver raises
 *    error:{entropy_failed, Errno}.
 *
 *  - zephyr_clock:set_system_time(Time, Unit) -> ok | {error, {rtc, Errno}}
 *
 *    Sets the wall clock that erlang:system_time/1, os:system_time/1 and calendar read: Time
 *    since 1970-01-01 UTC (a non-negative integer) in Unit (second, millisecond, microsecond,
 *    nanosecond or native), else badarg. With CONFIG_ATOMVM_CLOCK_RTC the board's RTC is set
 *    too; `{error, {rtc, Errno}}` says it could not be (the wall clock is set all the same,
 *    but will not survive a reset).
 *
 *  - zephyr_clock:source() -> rtc | host | set | uptime
 *
 *    Where the wall clock comes from: the RTC at boot, the host's clock at boot (native_sim),
 *    set_system_time/2, or nothing (it counts from 1970 at boot).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <zephyr/logging/log.h>
#if defined(CONFIG_ATOMVM_RANDOM)
#include <zephyr/random/random.h>
#endif

#include <atomvm_zephyr/platform.h>

#include <atomvm_zephyr/avm.h>
#include <atomvm_zephyr/port_driver.h>

#include <atom.h>
#include <defaultatoms.h>
#include <interop.h>
#include <memory.h>
#include <nifs.h>
#include <platform_nifs.h>
#include <term.h>

void platform_defaultatoms_init(GlobalContext *glb)
{
	/* Our atoms are made on demand with globalcontext_make_atom(). */
	ARG_UNUSED(glb);
}

static term nif_atomvm_platform(Context *ctx, int argc, term argv[])
{
	ARG_UNUSED(argc);
	ARG_UNUSED(argv);
	return globalcontext_make_atom(ctx->global, ATOM_STR("\x6", "zephyr"));
}

static const struct Nif atomvm_platform_nif = {
	.base.type = NIFFunctionType,
	.nif_ptr = nif_atomvm_platform,
};

/* {Tag, Value} on the caller's heap; `value` survives a collection (it is a root). */
static term tagged(Context *ctx, term tag, term value)
{
	if (memory_ensure_free_with_roots(ctx, TUPLE_SIZE(2), 1, &value, MEMORY_CAN_SHRINK) !=
	    MEMORY_GC_OK) {
		RAISE_ERROR(OUT_OF_MEMORY_ATOM);
	}
	term t = term_alloc_tuple(2, &ctx->heap);

	term_put_tuple_element(t, 0, tag);
	term_put_tuple_element(t, 1, value);
	return t;
}

static term nif_atomvm_port_open(Context *ctx, int argc, term argv[])
{
	ARG_UNUSED(argc);
	term name_term = argv[0];
	term opts = argv[1];

	if (!term_is_list(opts) && !term_is_map(opts)) {
		return tagged(ctx, ERROR_ATOM, BADARG_ATOM);
	}
	char *name = NULL;

	if (term_is_atom(name_term)) {
		name = interop_atom_to_string(ctx, name_term);
	} else if (term_is_list(name_term) || term_is_binary(name_term)) {
		int ok = 0;

		name = interop_term_to_string(name_term, &ok);
		if (!ok) {
			free(name);
			name = NULL;
		}
	}
	if (name == NULL) {
		return tagged(ctx, ERROR_ATOM, BADARG_ATOM);
	}
	const struct atomvm_port_driver *driver = atomvm_port_driver_find(name);

	free(name);
	if (driver == NULL) {
		return tagged(ctx, ERROR_ATOM,
			      globalcontext_make_atom(ctx->global, ATOM_STR("\x9", "no_driver")));
	}
	Context *port = driver->create_port(ctx->global, opts);

	if (port == NULL) {
		/* The driver records why on the VM thread; nothing ran since create_port. */
		term reason = driver->open_error != NULL ? driver->open_error(ctx) : BADARG_ATOM;

		return tagged(ctx, ERROR_ATOM, reason);
	}
	return tagged(ctx, OK_ATOM, term_port_from_local_process_id(port->process_id));
}

static const struct Nif atomvm_port_open_nif = {
	.base.type = NIFFunctionType,
	.nif_ptr = nif_atomvm_port_open,
};

LOG_MODULE_DECLARE(atomvm, CONFIG_ATOMVM_LOG_LEVEL);

#if defined(CONFIG_ATOMVM_RANDOM)
/* Raises error:{Tag, Errno}. */
static term error_with_errno(Context *ctx, term tag, int err)
{
	if (memory_ensure_free(ctx, TUPLE_SIZE(2)) != MEMORY_GC_OK) {
		RAISE_ERROR(OUT_OF_MEMORY_ATOM);
	}
	term t = term_alloc_tuple(2, &ctx->heap);

	term_put_tuple_element(t, 0, tag);
	term_put_tuple_element(t, 1, term_from_int(err));
	RAISE_ERROR(t);
}
#else
static term no_entropy_source(Context *ctx)
{
	static bool warned;

	if (!warned) {
		warned = true;
		LOG_WRN("atomvm:random/0, atomvm:rand_bytes/1: this image has no entropy source "
			"(CONFIG_ATOMVM_RANDOM: the board has no zephyr,entropy chosen node)");
	}
	RAISE_ERROR(globalcontext_make_atom(ctx->global, ATOM_STR("\x11", "no_entropy_source")));
}
#endif

static term nif_atomvm_random(Context *ctx, int argc, term argv[])
{
	ARG_UNUSED(argc);
	ARG_UNUSED(argv);
#if defined(CONFIG_ATOMVM_RANDOM)
	uint32_t r;
	int err = sys_csrand_get(&r, sizeof(r));

	if (err != 0) {
		return error_with_errno(
			ctx, globalcontext_make_atom(ctx->global, ATOM_STR("\xe", "entropy_failed")),
			err);
	}
	if (memory_ensure_free(ctx, BOXED_INT64_SIZE) != MEMORY_GC_OK) {
		RAISE_ERROR(OUT_OF_MEMORY_ATOM);
	}
	/* Non-negative on every word size (a 32-bit term boxes values past 2^27). */
	return term_make_maybe_boxed_int64((avm_int64_t)r, &ctx->heap);
#else
	return no_entropy_source(ctx);
#endif
}

static const struct Nif atomvm_random_nif = {
	.base.type = NIFFunctionType,
	.nif_ptr = nif_atomvm_random,
};

static term nif_atomvm_rand_bytes(Context *ctx, int argc, term argv[])
{
	ARG_UNUSED(argc);
	VALIDATE_VALUE(argv[0], term_is_integer);
	avm_int_t len = term_to_int(argv[0]);

	if (len < 0) {
		RAISE_ERROR(BADARG_ATOM);
	}
#if defined(CONFIG_ATOMVM_RANDOM)
	if (memory_ensure_free(ctx, term_binary_heap_size((size_t)len)) != MEMORY_GC_OK) {
		RAISE_ERROR(OUT_OF_MEMORY_ATOM);
	}
	term bin = term_create_uninitialized_binary((size_t)len, &ctx->heap, ctx->global);

	if (term_is_invalid_term(bin)) {
		/* A large binary lives outside the heap; its malloc failed. */
		RAISE_ERROR(OUT_OF_MEMORY_ATOM);
	}
	int err = sys_csrand_get((void *)term_binary_data(bin), (size_t)len);

	if (err != 0) {
		return error_with_errno(
			ctx, globalcontext_make_atom(ctx->global, ATOM_STR("\xe", "entropy_failed")),
			err);
	}
	return bin;
#else
	return no_entropy_source(ctx);
#endif
}

static const struct Nif atomvm_rand_bytes_nif = {
	.base.type = NIFFunctionType,
	.nif_ptr = nif_atomvm_rand_bytes,
};

/* Units per second of an erlang:system_time/1 unit, or 0 for an unknown unit. */
static int64_t units_per_second(term unit)
{
	if (unit == SECOND_ATOM) {
		return 1;
	}
	if (unit == MILLISECOND_ATOM) {
		return 1000;
	}
	if (unit == MICROSECOND_ATOM) {
		return 1000000;
	}
	if (unit == NANOSECOND_ATOM || unit == NATIVE_ATOM) {
		return 1000000000;
	}
	return 0;
}

static term nif_zephyr_clock_set_system_time(Context *ctx, int argc, term argv[])
{
	ARG_UNUSED(argc);
	VALIDATE_VALUE(argv[0], term_is_any_integer);
	int64_t per_second = units_per_second(argv[1]);

	if (per_second == 0 || !term_is_int64(argv[0])) {
		RAISE_ERROR(BADARG_ATOM);
	}
	int64_t time = term_maybe_unbox_int64(argv[0]);

	if (time < 0) {
		RAISE_ERROR(BADARG_ATOM);
	}
	struct timespec ts = {
		.tv_sec = (time_t)(time / per_second),
		.tv_nsec = (long)((time % per_second) * (1000000000 / per_second)),
	};
	int rtc_result;

	if (atomvm_zephyr_clock_set(&ts, &rtc_result) != 0) {
		RAISE_ERROR(BADARG_ATOM);
	}
	if (rtc_result != 0 && rtc_result != -ENOTSUP) {
		term reason = globalcontext_make_atom(ctx->global, ATOM_STR("\x3", "rtc"));

		if (memory_ensure_free(ctx, TUPLE_SIZE(2) * 2) != MEMORY_GC_OK) {
			RAISE_ERROR(OUT_OF_MEMORY_ATOM);
		}
		term inner = term_alloc_tuple(2, &ctx->heap);

		term_put_tuple_element(inner, 0, reason);
		term_put_tuple_element(inner, 1, term_from_int(rtc_result));
		term outer = term_alloc_tuple(2, &ctx->heap);

		term_put_tuple_element(outer, 0, ERROR_ATOM);
		term_put_tuple_element(outer, 1, inner);
		return outer;
	}
	return OK_ATOM;
}

static const struct Nif zephyr_clock_set_system_time_nif = {
	.base.type = NIFFunctionType,
	.nif_ptr = nif_zephyr_clock_set_system_time,
};

static term nif_zephyr_clock_source(Context *ctx, int argc, term argv[])
{
	ARG_UNUSED(argc);
	ARG_UNUSED(argv);
	switch (atomvm_zephyr_clock_source()) {
	case ATOMVM_ZEPHYR_CLOCK_RTC:
		return globalcontext_make_atom(ctx->global, ATOM_STR("\x3", "rtc"));
	case ATOMVM_ZEPHYR_CLOCK_HOST:
		return globalcontext_make_atom(ctx->global, ATOM_STR("\x4", "host"));
	case ATOMVM_ZEPHYR_CLOCK_SET:
		return globalcontext_make_atom(ctx->global, ATOM_STR("\x3", "set"));
	default:
		return globalcontext_make_atom(ctx->global, ATOM_STR("\x6", "uptime"));
	}
}

static const struct Nif zephyr_clock_source_nif = {
	.base.type = NIFFunctionType,
	.nif_ptr = nif_zephyr_clock_source,
};

const struct Nif *platform_nifs_get_nif(const char *nifname)
{
	if (strcmp("atomvm:platform/0", nifname) == 0) {
		return &atomvm_platform_nif;
	}
	if (strcmp("atomvm_port:open/2", nifname) == 0) {
		return &atomvm_port_open_nif;
	}
	if (strcmp("atomvm:random/0", nifname) == 0) {
		return &atomvm_random_nif;
	}
	if (strcmp("atomvm:rand_bytes/1", nifname) == 0) {
		return &atomvm_rand_bytes_nif;
	}
	if (strcmp("zephyr_clock:set_system_time/2", nifname) == 0) {
		return &zephyr_clock_set_system_time_nif;
	}
	if (strcmp("zephyr_clock:source/0", nifname) == 0) {
		return &zephyr_clock_source_nif;
	}
	return NULL;
}
