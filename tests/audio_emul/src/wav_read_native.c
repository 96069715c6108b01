/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Host side (native_sim): reads the I2S emulator's WAV file back, as a player would.
 */

#include <stdint.h>
#include <stdio.h>

long at_wav_read_native(const char *path, uint8_t *hdr, uint8_t *data, unsigned long max)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (f == NULL) {
		return -1;
	}
	if (fread(hdr, 1, 44, f) != 44) {
		fclose(f);
		return -1;
	}
	size = (long)hdr[40] | (long)hdr[41] << 8 | (long)hdr[42] << 16 | (long)hdr[43] << 24;
	if (fread(data, 1, max, f) < (size_t)(size < (long)max ? size : (long)max)) {
		size = -1;
	}
	fclose(f);
	return size;
}
