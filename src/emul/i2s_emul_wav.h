/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Host side of the I2S emulator's WAV output (CONFIG_ATOMVM_I2S_EMUL_WAV, native_sim only).
 * i2s_emul_wav_native.c is compiled for the host (the native simulator runner, host libc);
 * the driver calls it with plain C types only.
 */

#ifndef ATOMVM_PORTS_I2S_EMUL_WAV_H_
#define ATOMVM_PORTS_I2S_EMUL_WAV_H_

/*
 * Creates (truncates) the WAV file of instance `inst`: `path` itself for instance 0, `path`
 * with "-<inst>" before its ".wav" suffix for the others. `word_size` is the I2S word size in
 * bits (8, 16, 24, 32). Returns a handle >= 0, or -1 (the file cannot be created, or too
 * many files).
 */
int i2s_emul_wav_open(const char *path, int inst, unsigned int rate, unsigned int channels,
		      unsigned int word_size);

/*
 * Appends played bytes in the I2S memory layout (8-bit signed, 16-bit, 24-bit in the low
 * three bytes of a 32-bit word, 32-bit; little endian) and rewrites the header's sizes, so the
 * file is a valid WAV file after every call.
 */
void i2s_emul_wav_write(int handle, const void *bytes, unsigned long len);

#endif /* ATOMVM_PORTS_I2S_EMUL_WAV_H_ */
