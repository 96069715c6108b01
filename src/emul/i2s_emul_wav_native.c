/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Host side of the I2S emulator's WAV output (see i2s_emul_wav.h). Built into the native
 * simulator runner with the host's C library; runs in the caller's context (the emulator's
 * timer interrupt), which on native_sim does not advance simulated time.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i2s_emul_wav.h"

#define MAX_FILES   4
#define HEADER_SIZE 44U

struct wav_file {
	FILE *f;
	unsigned int in_bytes;  /* bytes of one sample in memory */
	unsigned int out_bytes; /* bytes of one sample in the file */
	uint32_t data_bytes;
};

static struct wav_file files[MAX_FILES];

static void put_le(uint8_t *p, uint32_t v, int n)
{
	for (int i = 0; i < n; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

static void write_header(struct wav_file *w, unsigned int rate, unsigned int channels)
{
	uint8_t h[HEADER_SIZE];
	uint32_t block_align = channels * w->out_bytes;

	memcpy(&h[0], "RIFF", 4);
	put_le(&h[4], 36U + w->data_bytes, 4);
	memcpy(&h[8], "WAVEfmt ", 8);
	put_le(&h[16], 16, 4);
	put_le(&h[20], 1, 2); /* PCM */
	put_le(&h[22], channels, 2);
	put_le(&h[24], rate, 4);
	put_le(&h[28], rate * block_align, 4);
	put_le(&h[32], block_align, 2);
	put_le(&h[34], w->out_bytes * 8U, 2);
	memcpy(&h[36], "data", 4);
	put_le(&h[40], w->data_bytes, 4);
	fseek(w->f, 0, SEEK_SET);
	fwrite(h, 1, sizeof(h), w->f);
}

/* Only the two size fields change after the first write. */
static void update_sizes(struct wav_file *w)
{
	uint8_t v[4];

	put_le(v, 36U + w->data_bytes, 4);
	fseek(w->f, 4, SEEK_SET);
	fwrite(v, 1, 4, w->f);
	put_le(v, w->data_bytes, 4);
	fseek(w->f, 40, SEEK_SET);
	fwrite(v, 1, 4, w->f);
	fseek(w->f, 0, SEEK_END);
	fflush(w->f);
}

int i2s_emul_wav_open(const char *path, int inst, unsigned int rate, unsigned int channels,
		      unsigned int word_size)
{
	char name[4096];
	int h = -1;

	for (int i = 0; i < MAX_FILES; i++) {
		if (files[i].f == NULL) {
			h = i;
			break;
		}
	}
	if (h < 0 || path == NULL) {
		return -1;
	}
	if (inst == 0) {
		snprintf(name, sizeof(name), "%s", path);
	} else {
		size_t len = strlen(path);
		size_t stem = (len >= 4 && strcmp(&path[len - 4], ".wav") == 0) ? len - 4 : len;

		snprintf(name, sizeof(name), "%.*s-%d.wav", (int)stem, path, inst);
	}
	struct wav_file *w = &files[h];

	w->f = fopen(name, "w+b");
	if (w->f == NULL) {
		return -1;
	}
	w->in_bytes = word_size <= 8 ? 1 : (word_size <= 16 ? 2 : 4);
	w->out_bytes = word_size <= 8 ? 1 : (word_size <= 16 ? 2 : (word_size <= 24 ? 3 : 4));
	w->data_bytes = 0;
	write_header(w, rate, channels);
	fflush(w->f);
	return h;
}

void i2s_emul_wav_write(int handle, const void *bytes, unsigned long len)
{
	if (handle < 0 || handle >= MAX_FILES || files[handle].f == NULL) {
		return;
	}
	struct wav_file *w = &files[handle];
	const uint8_t *in = bytes;
	unsigned long samples = len / w->in_bytes;

	fseek(w->f, 0, SEEK_END);
	if (w->in_bytes == w->out_bytes && w->in_bytes > 1) {
		fwrite(in, w->in_bytes, samples, w->f);
	} else {
		for (unsigned long i = 0; i < samples; i++) {
			const uint8_t *s = &in[i * w->in_bytes];

			if (w->in_bytes == 1) {
				/* I2S 8-bit words are signed; WAV 8-bit samples are unsigned. */
				uint8_t u = (uint8_t)(s[0] ^ 0x80);

				fwrite(&u, 1, 1, w->f);
			} else {
				/* 24-bit: the low three bytes of the 32-bit word. */
				fwrite(s, 1, w->out_bytes, w->f);
			}
		}
	}
	w->data_bytes += (uint32_t)(samples * w->out_bytes);
	update_sizes(w);
}
