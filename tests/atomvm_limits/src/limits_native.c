/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Test port "limits_helper" of tests/atomvm_limits. Messages (from any process):
 *   {Pid, task_burst, N}  a work-queue item (a thread other than the VM's, running above it)
 *                         sends the integers 1..N to Pid with port_send_message_from_task(),
 *                         back to back, as a driver's thread does with a burst of events;
 *   {Pid, vm_burst, N}    the port sends 1..N to Pid itself, on the VM thread.
 */
#include <stdlib.h>

#include <zephyr/kernel.h>

#include <atomvm_zephyr/platform.h>
#include <atomvm_zephyr/port_driver.h>

#include <port.h>

#define BURST_MAX 64

struct helper {
	struct k_work work;
	GlobalContext *glb;
	int32_t pid;
	int count;
};

static struct helper helper;

static void send_burst(struct k_work *work)
{
	struct helper *h = CONTAINER_OF(work, struct helper, work);

	/* The work queue thread preempts the VM thread: all N are queued before it runs. */
	for (int i = 1; i <= h->count; i++) {
		port_send_message_from_task(h->glb, term_from_local_process_id(h->pid),
					    term_from_int(i));
	}
}

static bool is_atom(GlobalContext *glb, term t, AtomString name)
{
	return t == globalcontext_make_atom(glb, name);
}

static NativeHandlerResult consume_mailbox(Context *ctx)
{
	GlobalContext *glb = ctx->global;
	Message *message = mailbox_first(&ctx->mailbox);
	term msg = message->message;
	size_t arity = term_is_tuple(msg) ? term_get_tuple_arity(msg) : 0;
	term pid = arity >= 2 ? term_get_tuple_element(msg, 0) : term_invalid_term();
	term cmd = arity >= 2 ? term_get_tuple_element(msg, 1) : term_invalid_term();
	term n = arity == 3 ? term_get_tuple_element(msg, 2) : term_invalid_term();
	bool count_ok = arity == 3 && term_is_integer(n) && term_to_int(n) >= 1 &&
			term_to_int(n) <= BURST_MAX;

	if (arity >= 2 && term_is_local_pid(pid) && !k_work_is_pending(&helper.work)) {
		helper.glb = glb;
		helper.pid = term_to_local_process_id(pid);
		if (count_ok && is_atom(glb, cmd, ATOM_STR("\xa", "task_burst"))) {
			helper.count = term_to_int(n);
			k_work_submit(&helper.work);
		} else if (count_ok && is_atom(glb, cmd, ATOM_STR("\x8", "vm_burst"))) {
			for (int i = 1; i <= term_to_int(n); i++) {
				globalcontext_send_message(glb, helper.pid, term_from_int(i));
			}
		}
	}
	mailbox_remove_message(&ctx->mailbox, &ctx->heap);
	return msg == CLOSE_ATOM ? NativeTerminate : NativeContinue;
}

static Context *create_port(GlobalContext *glb, term opts)
{
	ARG_UNUSED(opts);
	Context *ctx = context_new(glb);

	if (ctx != NULL) {
		k_work_init(&helper.work, send_burst);
		ctx->native_handler = consume_mailbox;
	}
	return ctx;
}

ATOMVM_PORT_DRIVER_DEFINE(limits_helper, "limits_helper", NULL, NULL, create_port);
