/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Test port "event_poster": after {Pid, start}, a k_timer posts `count` events from its
 * expiry function (ISR context) every `period_us` microseconds (default 5000) with
 * atomvm_zephyr_post_event(); the VM thread turns each into a listener call, which sends
 * {event, Seq, InIsr} to Pid. `close` stops it.
 */
#include <stdlib.h>

#include <zephyr/kernel.h>

#include <atomvm_zephyr/platform.h>
#include <atomvm_zephyr/port_driver.h>


struct poster {
	EventListener listener; /* first: the listener's sender is the poster itself */
	struct k_timer timer;
	GlobalContext *glb;
	int32_t owner;
	int count;
	int period_us;
	atomic_t posted;
	atomic_t posted_in_isr;
	int delivered;
};

static void post_from_isr(struct k_timer *timer)
{
	struct poster *p = CONTAINER_OF(timer, struct poster, timer);

	if (k_is_in_isr()) {
		atomic_inc(&p->posted_in_isr);
	}
	if (atomic_inc(&p->posted) + 1 >= p->count) {
		k_timer_stop(timer);
	}
	(void)atomvm_zephyr_post_event(p->glb, p);
}

static EventListener *on_event(GlobalContext *glb, EventListener *listener)
{
	struct poster *p = CONTAINER_OF(listener, struct poster, listener);

	p->delivered++;
	BEGIN_WITH_STACK_HEAP(TUPLE_SIZE(3), heap);
	term msg = term_alloc_tuple(3, &heap);

	term_put_tuple_element(msg, 0, globalcontext_make_atom(glb, ATOM_STR("\x5", "event")));
	term_put_tuple_element(msg, 1, term_from_int(p->delivered));
	term_put_tuple_element(msg, 2,
			       atomic_get(&p->posted_in_isr) >= p->delivered ? TRUE_ATOM : FALSE_ATOM);
	globalcontext_send_message(glb, p->owner, msg);
	END_WITH_STACK_HEAP(heap, glb);
	/* NULL unregisters the listener once every event has been delivered. */
	return p->delivered < p->count ? listener : NULL;
}

static void stop(struct poster *p)
{
	k_timer_stop(&p->timer);
	if (p->owner != 0 && p->delivered < p->count) {
		sys_unregister_listener(p->glb, &p->listener);
	}
}

static NativeHandlerResult consume_mailbox(Context *ctx)
{
	struct poster *p = ctx->platform_data;
	Message *message = mailbox_first(&ctx->mailbox);
	term msg = message->message;
	NativeHandlerResult result = NativeContinue;

	if (term_is_tuple(msg) && term_get_tuple_arity(msg) == 2 &&
	    term_is_local_pid(term_get_tuple_element(msg, 0)) &&
	    term_get_tuple_element(msg, 1) == globalcontext_make_atom(ctx->global,
								   ATOM_STR("\x5", "start")) &&
	    p->owner == 0) {
		p->owner = term_to_local_process_id(term_get_tuple_element(msg, 0));
		p->listener.handler = on_event;
		p->listener.sender = p;
		sys_register_listener(ctx->global, &p->listener);
		k_timer_start(&p->timer, K_USEC(p->period_us), K_USEC(p->period_us));
	} else if (msg == CLOSE_ATOM) {
		stop(p);
		free(p);
		ctx->platform_data = NULL;
		result = NativeTerminate;
	}
	mailbox_remove_message(&ctx->mailbox, &ctx->heap);
	return result;
}

static Context *create_port(GlobalContext *glb, term opts)
{
	term count = interop_proplist_get_value_default(
		opts, globalcontext_make_atom(glb, ATOM_STR("\x5", "count")), term_from_int(3));

	term period = interop_proplist_get_value_default(
		opts, globalcontext_make_atom(glb, ATOM_STR("\x9", "period_us")), term_from_int(5000));

	if (!term_is_integer(count) || term_to_int(count) < 1 || term_to_int(count) > 1000 ||
	    !term_is_integer(period) || term_to_int(period) < 1 ||
	    term_to_int(period) > 1000000) {
		return NULL;
	}
	struct poster *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		return NULL;
	}
	Context *ctx = context_new(glb);

	if (ctx == NULL) {
		free(p);
		return NULL;
	}
	p->glb = glb;
	p->count = term_to_int(count);
	p->period_us = term_to_int(period);
	k_timer_init(&p->timer, post_from_isr, NULL);
	ctx->native_handler = consume_mailbox;
	ctx->platform_data = p;
	return ctx;
}

ATOMVM_PORT_DRIVER_DEFINE(event_poster, "event_poster", NULL, NULL, create_port);
