/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Where the application's .avm comes from: linked into the image by atomvm_app(), or a
 * flash partition labelled "atomvm_avm" read through Zephyr's flash API.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/byteorder.h>

#include <atomvm_zephyr/platform.h>

LOG_MODULE_DECLARE(atomvm, CONFIG_ATOMVM_LOG_LEVEL);

/* Defined by the file atomvm_app() generates; absent when the app links no .avm. */
extern const uint8_t atomvm_app_avm[] __weak;
extern const size_t atomvm_app_avm_len __weak;

static int linked_avm(const void **data, size_t *size)
{
	if (&atomvm_app_avm_len == NULL || atomvm_app_avm_len == 0) {
		return -ENOENT;
	}
	*data = atomvm_app_avm;
	*size = atomvm_app_avm_len;
	return 0;
}

#if defined(CONFIG_ATOMVM_AVM_PARTITION)
#include <zephyr/storage/flash_map.h>

#define AVM_HEADER_SIZE 24
#define AVM_SECTION_HEADER_SIZE 12

BUILD_ASSERT(FIXED_PARTITION_EXISTS(atomvm_avm),
	     "CONFIG_ATOMVM_AVM_PARTITION needs a flash partition labelled atomvm_avm");

static const uint8_t avm_magic[AVM_HEADER_SIZE] = "#!/usr/bin/env AtomVM\n";

/*
 * The length of the .avm at the start of the partition: walk its section headers up to the
 * end marker (a section of size 0), as libAtomVM's avmpack_fold() does in memory.
 */
static int avm_length(const struct flash_area *fa, size_t *length)
{
	uint8_t header[AVM_HEADER_SIZE];
	int rc = flash_area_read(fa, 0, header, sizeof(header));

	if (rc != 0) {
		return rc;
	}
	if (memcmp(header, avm_magic, sizeof(header)) != 0) {
		return -ENOENT;
	}
	size_t offset = AVM_HEADER_SIZE;

	while (offset + AVM_SECTION_HEADER_SIZE <= fa->fa_size) {
		uint8_t section[AVM_SECTION_HEADER_SIZE];

		rc = flash_area_read(fa, offset, section, sizeof(section));
		if (rc != 0) {
			return rc;
		}
		uint32_t size = sys_get_be32(section);

		if (size == 0) {
			/* The end marker: its header and its 4-byte padded name "end". */
			*length = offset + AVM_SECTION_HEADER_SIZE + 4;
			return *length <= fa->fa_size ? 0 : -EINVAL;
		}
		if (size < AVM_SECTION_HEADER_SIZE || (size % 4) != 0) {
			return -EINVAL;
		}
		offset += size;
	}
	return -EINVAL;
}

#if defined(CONFIG_ATOMVM_AVM_PROVISION)
static int provision(const struct flash_area *fa)
{
	const void *data;
	size_t size;

	if (linked_avm(&data, &size) != 0) {
		return -ENOENT;
	}
	if (size > fa->fa_size) {
		LOG_ERR(".avm of %zu bytes does not fit the %zu byte partition", size,
			(size_t)fa->fa_size);
		return -EFBIG;
	}
	int rc = flash_area_flatten(fa, 0, fa->fa_size);

	if (rc == 0) {
		rc = flash_area_write(fa, 0, data, size);
	}
	LOG_INF("provisioned the atomvm_avm partition with the linked .avm: %d", rc);
	return rc;
}
#endif

static int partition_avm(const void **data, size_t *size)
{
	const struct flash_area *fa;
	int rc = flash_area_open(FIXED_PARTITION_ID(atomvm_avm), &fa);

	if (rc != 0) {
		return rc;
	}
	size_t length;

	rc = avm_length(fa, &length);
#if defined(CONFIG_ATOMVM_AVM_PROVISION)
	if (rc == -ENOENT && provision(fa) == 0) {
		rc = avm_length(fa, &length);
	}
#endif
	if (rc == 0) {
		/* Flash is not memory-mapped on every device: the VM gets a RAM copy. */
		uint32_t *copy = malloc(length);

		if (copy == NULL) {
			rc = -ENOMEM;
		} else if ((rc = flash_area_read(fa, 0, copy, length)) != 0) {
			free(copy);
		} else {
			*data = copy;
			*size = length;
			LOG_INF("loaded a %zu byte .avm from the atomvm_avm partition", length);
		}
	}
	flash_area_close(fa);
	return rc;
}
#endif /* CONFIG_ATOMVM_AVM_PARTITION */

int atomvm_zephyr_avm_get(const void **data, size_t *size)
{
#if defined(CONFIG_ATOMVM_AVM_PARTITION)
	return partition_avm(data, size);
#else
	return linked_avm(data, size);
#endif
}
