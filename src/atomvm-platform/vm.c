/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The VM thread: loads the application's .avm, runs its start module's start/0 and reports
 * how it ended on the console.
 */
#include <stdio.h>
#include <stdlib.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

#include <atomvm_zephyr/platform.h>
#include <atomvm_zephyr/port_driver.h>

#include <avm_version.h>

LOG_MODULE_DECLARE(atomvm, CONFIG_ATOMVM_LOG_LEVEL);

static GlobalContext *volatile running_global;
static K_SEM_DEFINE(vm_done, 0, 1);
static int vm_result = -EINPROGRESS;

GlobalContext *atomvm_zephyr_global(void)
{
	return running_global;
}

static const char *result_name(run_result_t result)
{
	switch (result) {
	case RUN_SUCCESS:
		return "ok";
	case RUN_MEMORY_FAILURE:
		return "memory failure";
	case RUN_RESULT_NOT_OK:
		return "not ok";
	case RUN_NO_ENTRY_POINT:
		return "no entry point";
	default:
		return "unknown";
	}
}

static int run(void)
{
	const void *avm;
	size_t avm_size;
	int rc = atomvm_zephyr_avm_get(&avm, &avm_size);

	if (rc != 0) {
		LOG_ERR("no application .avm (%d): link one with atomvm_app()", rc);
		return rc;
	}
	const void *start_beam;
	uint32_t start_size;
	const char *start_name;

	if (!avmpack_is_valid(avm, avm_size) ||
	    !avmpack_find_section_by_flag(avm, BEAM_START_FLAG, BEAM_START_FLAG, &start_beam,
					  &start_size, &start_name)) {
		LOG_ERR("the .avm is invalid or has no start module");
		return -EINVAL;
	}

	GlobalContext *glb = globalcontext_new();

	if (glb == NULL) {
		return -ENOMEM;
	}
	struct ConstAVMPack *pack = malloc(sizeof(*pack));

	if (pack == NULL) {
		globalcontext_destroy(glb);
		return -ENOMEM;
	}
	avmpack_data_init(&pack->base, &const_avm_pack_info);
	pack->base.data = avm;
	pack->base.in_use = true;
	synclist_append(&glb->avmpack_data, &pack->base.avmpack_head);

	Module *mod = module_new_from_iff_binary(glb, start_beam, start_size);

	if (mod == NULL) {
		LOG_ERR("cannot load start module %s", start_name);
		globalcontext_destroy(glb);
		return -EINVAL;
	}
	globalcontext_insert_module(glb, mod);
	atomvm_port_drivers_init(glb);
	running_global = glb;

	printk("AtomVM %s on Zephyr: starting %s, %lld ms after boot\n", ATOMVM_VERSION,
	       start_name, (long long)k_uptime_get());
	run_result_t result = globalcontext_run(glb, mod, stdout, 0, NULL);

	fflush(stdout);
	printk("AtomVM: %s:start/0 ended: %s\n", start_name, result_name(result));

	running_global = NULL;
	atomvm_port_drivers_destroy(glb);
	globalcontext_destroy(glb);
	return (int)result;
}

static void vm_thread(void *a, void *b, void *c)
{
	ARG_UNUSED(a);
	ARG_UNUSED(b);
	ARG_UNUSED(c);
	vm_result = run();
	k_sem_give(&vm_done);
}

K_THREAD_DEFINE(atomvm_thread, CONFIG_ATOMVM_THREAD_STACK_SIZE, vm_thread, NULL, NULL, NULL,
		CONFIG_ATOMVM_THREAD_PRIORITY, 0,
		COND_CODE_1(CONFIG_ATOMVM_AUTOSTART, (0), (SYS_FOREVER_MS)));

void atomvm_zephyr_start(void)
{
	k_thread_start(atomvm_thread);
}

int atomvm_zephyr_join(k_timeout_t timeout)
{
	if (k_sem_take(&vm_done, timeout) != 0) {
		return -EAGAIN;
	}
	k_sem_give(&vm_done);
	return vm_result;
}

#if defined(CONFIG_ATOMVM_AUTOSTART)
/*
 * Apps written only in Erlang have no main() of their own: wait for the VM. An app's own
 * main() (C, or zephyr-lang-rust's) replaces this one.
 */
__weak int main(void)
{
	return atomvm_zephyr_join(K_FOREVER);
}
#endif
