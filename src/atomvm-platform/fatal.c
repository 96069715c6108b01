/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The board's reaction to a fatal error (CONFIG_ATOMVM_FATAL_HANDLER): AtomVM aborts where it
 * cannot go on (AVM_ABORT(), mostly a failed malloc), and abort() is a kernel panic on Zephyr.
 * One log line says what happened and where, then the board reboots or halts as configured,
 * so that a device never sits in a silent hang.
 */
#include <zephyr/fatal.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/logging/log_ctrl.h>
#include <zephyr/sys/reboot.h>

#include <atomvm_zephyr/platform.h>

LOG_MODULE_DECLARE(atomvm, CONFIG_ATOMVM_LOG_LEVEL);

/* vm.c's K_THREAD_DEFINE. */
extern const k_tid_t atomvm_thread;

static const char *reason_name(unsigned int reason)
{
	switch (reason) {
	case K_ERR_CPU_EXCEPTION:
		return "CPU exception";
	case K_ERR_SPURIOUS_IRQ:
		return "spurious interrupt";
	case K_ERR_STACK_CHK_FAIL:
		return "stack overflow";
	case K_ERR_KERNEL_OOPS:
		return "kernel oops";
	case K_ERR_KERNEL_PANIC:
		return "kernel panic (abort() from AtomVM or the C library)";
	default:
		return "architecture-specific fault";
	}
}

void k_sys_fatal_error_handler(unsigned int reason, const struct arch_esf *esf)
{
	ARG_UNUSED(esf);
	k_tid_t thread = k_current_get();
	const char *name = thread == atomvm_thread ? "AtomVM" : k_thread_name_get(thread);

	LOG_PANIC(); /* flush deferred logs; what follows is printed synchronously */
	LOG_ERR("AtomVM fatal error %u: %s, in %s%s thread %p; VM %s", reason,
		reason_name(reason), k_is_in_isr() ? "an ISR over the " : "the ",
		name != NULL ? name : "unnamed", (void *)thread,
		atomvm_zephyr_global() != NULL ? "running" : "not running");
	if (IS_ENABLED(CONFIG_ATOMVM_FATAL_REBOOT)) {
		LOG_ERR("AtomVM fatal error: rebooting");
		LOG_PANIC();
		sys_reboot(SYS_REBOOT_COLD);
	}
	LOG_ERR("AtomVM fatal error: halting");
	LOG_PANIC();
	k_fatal_halt(reason);
}
