/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * NIFs of the Zephyr platform.
 */
#include <string.h>

#include <atomvm_zephyr/avm.h>

#include <atom.h>
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

const struct Nif *platform_nifs_get_nif(const char *nifname)
{
	if (strcmp("atomvm:platform/0", nifname) == 0) {
		return &atomvm_platform_nif;
	}
	return NULL;
}
