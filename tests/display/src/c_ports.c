/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * C ports of the display test:
 *  - "backlight_probe": `pulse` -> {ok, PulseCycles, PeriodCycles, Calls}, what the fake PWM
 *    under the backlight LED was last asked for;
 *   - "noop_c": `noop` -> ok, the C twin of the Rust test port's `noop`, written the way
 *    AtomVM's own C ports are, for the round-trip benchmark;
 *  - "refuse_c": every open fails, without a reason (atomvm_port:open/2 says badarg).
 */
#include <string.h>

#include <zephyr/drivers/pwm/pwm_fake.h>
#include <zephyr/fff.h>

#include <atomvm_zephyr/port_driver.h>

/* The fake PWM driver's call records (FFF wants one definition per image). */
DEFINE_FFF_GLOBALS;

/* `close` -> ok, and the port ends. */
static bool closing(Context *ctx, const GenMessage *gen);

static term atom(GlobalContext *glb, const char *name)
{
	return globalcontext_insert_atom_maybe_copy(glb, (const uint8_t *)name, strlen(name), true);
}

static bool closing(Context *ctx, const GenMessage *gen)
{
	if (gen->req != CLOSE_ATOM) {
		return false;
	}
	port_ensure_available(ctx, TUPLE_SIZE(2));
	port_send_reply(ctx, gen->pid, gen->ref, OK_ATOM);
	return true;
}

static NativeHandlerResult probe_handler(Context *ctx)
{
	Message *message = mailbox_first(&ctx->mailbox);
	GenMessage gen;

	if (port_parse_gen_message(message->message, &gen) == GenCallMessage) {
		if (closing(ctx, &gen)) {
			mailbox_remove_message(&ctx->mailbox, &ctx->heap);
			return NativeTerminate;
		}
		port_ensure_available(ctx, TUPLE_SIZE(2) + TUPLE_SIZE(4) + 3 * BOXED_INT_SIZE);
		term reply;

		if (gen.req == atom(ctx->global, "pulse")) {
			reply = term_alloc_tuple(4, &ctx->heap);
			term_put_tuple_element(reply, 0, OK_ATOM);
			term_put_tuple_element(
				reply, 1,
				term_make_maybe_boxed_int64(fake_pwm_set_cycles_fake.arg3_val,
							    &ctx->heap));
			term_put_tuple_element(
				reply, 2,
				term_make_maybe_boxed_int64(fake_pwm_set_cycles_fake.arg2_val,
							    &ctx->heap));
			term_put_tuple_element(
				reply, 3,
				term_from_int(fake_pwm_set_cycles_fake.call_count));
		} else {
			reply = port_create_error_tuple(ctx, BADARG_ATOM);
		}
		port_send_reply(ctx, gen.pid, gen.ref, reply);
	}
	mailbox_remove_message(&ctx->mailbox, &ctx->heap);
	return NativeContinue;
}

static NativeHandlerResult noop_handler(Context *ctx)
{
	Message *message = mailbox_first(&ctx->mailbox);
	GenMessage gen;

	if (port_parse_gen_message(message->message, &gen) == GenCallMessage) {
		if (closing(ctx, &gen)) {
			mailbox_remove_message(&ctx->mailbox, &ctx->heap);
			return NativeTerminate;
		}
		port_ensure_available(ctx, TUPLE_SIZE(2) * 2);
		term reply = gen.req == atom(ctx->global, "noop")
				     ? OK_ATOM
				     : port_create_error_tuple(ctx, BADARG_ATOM);
		port_send_reply(ctx, gen.pid, gen.ref, reply);
	}
	mailbox_remove_message(&ctx->mailbox, &ctx->heap);
	return NativeContinue;
}

static Context *create_with(GlobalContext *glb, native_handler_f handler)
{
	Context *ctx = context_new(glb);

	if (ctx != NULL) {
		ctx->native_handler = handler;
	}
	return ctx;
}

static Context *create_probe(GlobalContext *glb, term opts)
{
	ARG_UNUSED(opts);
	return create_with(glb, probe_handler);
}

static Context *create_noop(GlobalContext *glb, term opts)
{
	ARG_UNUSED(opts);
	return create_with(glb, noop_handler);
}

ATOMVM_PORT_DRIVER_DEFINE(backlight_probe, "backlight_probe", NULL, NULL, create_probe);
ATOMVM_PORT_DRIVER_DEFINE(noop_c, "noop_c", NULL, NULL, create_noop);

/* "refuse_c": a C driver that refuses every open and gives no reason (no open_error). */
static Context *create_refuse(GlobalContext *glb, term opts)
{
	ARG_UNUSED(glb);
	ARG_UNUSED(opts);
	return NULL;
}

ATOMVM_PORT_DRIVER_DEFINE(refuse_c, "refuse_c", NULL, NULL, create_refuse);
