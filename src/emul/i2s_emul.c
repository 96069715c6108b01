/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Emulated I2S controller (compatible "atomvm,i2s-emul", CONFIG_ATOMVM_I2S_EMUL): a driver of
 * Zephyr's I2S API that follows the state machine of <zephyr/drivers/i2s.h> and behaves like a
 * controller with DMA:
 *
 * - TX: START takes the first queued block into the "shift register"; a k_timer fires when its
 *   frames have been clocked out at frame_clk_freq (absolute deadlines from the START instant,
 *   so the rate does not drift with tick rounding). The played block is captured, freed back
 *   to its mem_slab, and the next queued block starts. An empty queue at a block end while
 *   RUNNING is an underrun: the stream goes to ERROR until PREPARE or DROP.
 * - RX: clocked by TX. While RX is RUNNING, each TX block end fills one RX block allocated from
 *   the RX slab: a copy of the TX block with I2S_OPT_LOOPBACK on either stream, silence
 *   (zeros) otherwise. No free RX block or a full RX queue is an overrun (ERROR). RX STOP /
 *   DRAIN completes at the end of the TX block being clocked, at once when TX is idle.
 * - I2S_DIR_BOTH is supported by configure and trigger; DRAIN on BOTH stops RX together with
 *   TX once the TX queue is empty.
 *
 * The timer's expiry function runs in interrupt context like a DMA completion interrupt.
 * Played bytes also go to a capture ring (<atomvm_ports/i2s_emul.h>) and, on native_sim with
 * CONFIG_ATOMVM_I2S_EMUL_WAV, to a WAV file on the host.
 */

#define DT_DRV_COMPAT atomvm_i2s_emul

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/drivers/i2s.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/util.h>

#include <atomvm_ports/i2s_emul.h>

#ifdef CONFIG_ATOMVM_I2S_EMUL_WAV
#include "cmdline.h"
#include "soc.h"
#include "i2s_emul_wav.h"
#endif

LOG_MODULE_REGISTER(atomvm_i2s_emul, CONFIG_I2S_LOG_LEVEL);

#define FMT_DATA_FORMAT_MAX I2S_FMT_DATA_FORMAT_RIGHT_JUSTIFIED
#define MAX_FRAME_CLK_FREQ  768000U

/* The layout the Rust binding (src/emul-rs) declares. */
BUILD_ASSERT(sizeof(struct i2s_emul_counters) == 48);
BUILD_ASSERT(offsetof(struct i2s_emul_counters, capture_dropped) == 24);
BUILD_ASSERT(offsetof(struct i2s_emul_counters, tx_state) == 40);
BUILD_ASSERT(offsetof(struct i2s_emul_counters, tx_queued) == 42);

struct emul_blk {
	void *mem;
	size_t size;
};

struct emul_stream {
	enum i2s_state state;
	struct i2s_config cfg;
	struct k_msgq *queue;
	/* TX: the block being clocked out. */
	struct emul_blk cur;
	bool has_cur;
	/* TX STOPPING: true after STOP (end of the current block), false after DRAIN. */
	bool stop_at_block_end;
	/* RX STOPPING after DRAIN on I2S_DIR_BOTH: stops when TX stops. */
	bool stop_with_tx;
	/* RX started with TX by I2S_DIR_BOTH: one controller, so a TX underrun is RX's error too. */
	bool coupled;
};

struct i2s_emul_config {
	struct k_msgq *tx_queue;
	struct k_msgq *rx_queue;
	uint8_t *ring;
	size_t ring_size;
	int inst;
};

struct i2s_emul_data {
	const struct device *dev;
	struct k_spinlock lock;
	struct emul_stream tx;
	struct emul_stream rx;
	struct k_timer timer;
	/* Pacing: TX frames clocked since START and the tick START happened at. */
	int64_t start_tick;
	uint64_t frames;
	/* Capture ring. */
	size_t ring_head;
	size_t ring_count;
	struct i2s_emul_counters counters;
	/* k_cycle_get_32() when the last TX block was queued (benchmarks time up to there). */
	atomic_t last_write_cycles;
#ifdef CONFIG_ATOMVM_I2S_EMUL_WAV
	int wav;
	bool wav_tried;
	uint32_t wav_rate;
	uint8_t wav_channels;
	uint8_t wav_word_size;
#endif
};

static size_t word_bytes(uint8_t word_size)
{
	return word_size <= 8 ? 1 : (word_size <= 16 ? 2 : 4);
}

static size_t frame_bytes(const struct i2s_config *cfg)
{
	return word_bytes(cfg->word_size) * cfg->channels;
}

static struct emul_stream *stream_of(struct i2s_emul_data *data, enum i2s_dir dir)
{
	return dir == I2S_DIR_TX ? &data->tx : &data->rx;
}

static void purge_queue(struct emul_stream *s)
{
	struct emul_blk blk;

	while (k_msgq_get(s->queue, &blk, K_NO_WAIT) == 0) {
		k_mem_slab_free(s->cfg.mem_slab, blk.mem);
	}
}

/* ---- capture and WAV (under data->lock) ---- */

static void capture_push(const struct device *dev, const uint8_t *bytes, size_t len)
{
	const struct i2s_emul_config *cfg = dev->config;
	struct i2s_emul_data *data = dev->data;
	size_t room = cfg->ring_size - data->ring_count;
	size_t n = MIN(len, room);
	size_t tail = (data->ring_head + data->ring_count) % MAX(cfg->ring_size, 1);

	for (size_t done = 0; done < n;) {
		size_t chunk = MIN(n - done, cfg->ring_size - tail);

		memcpy(&cfg->ring[tail], &bytes[done], chunk);
		done += chunk;
		tail = (tail + chunk) % cfg->ring_size;
	}
	data->ring_count += n;
	data->counters.capture_dropped += len - n;
}

#ifdef CONFIG_ATOMVM_I2S_EMUL_WAV
/* The executable's --i2s-wav=<path>; the command line parser sets it (NULL when not given). */
static const char *wav_path_arg;

static void wav_options(void)
{
	static struct args_struct_t options[] = {
		{.option = "i2s-wav",
		 .name = "path",
		 .type = 's',
		 .dest = (void *)&wav_path_arg,
		 .descript = "WAV file of what the emulated I2S controller plays, by default \""
			     CONFIG_ATOMVM_I2S_EMUL_WAV_PATH "\" (more instances: -<n> before .wav)"},
		ARG_TABLE_ENDMARKER};

	native_add_command_line_opts(options);
}

NATIVE_TASK(wav_options, PRE_BOOT_1, 10);

static void wav_push(const struct device *dev, const struct emul_blk *blk)
{
	const struct i2s_emul_config *cfg = dev->config;
	struct i2s_emul_data *data = dev->data;
	const struct i2s_config *tx = &data->tx.cfg;
	const char *wav_path =
		wav_path_arg != NULL ? wav_path_arg : CONFIG_ATOMVM_I2S_EMUL_WAV_PATH;

	if (!data->wav_tried) {
		/* The first block played fixes the file's format. */
		data->wav_tried = true;
		data->wav_rate = tx->frame_clk_freq;
		data->wav_channels = tx->channels;
		data->wav_word_size = tx->word_size;
		data->wav = i2s_emul_wav_open(wav_path, cfg->inst,
					      tx->frame_clk_freq, tx->channels, tx->word_size);
		if (data->wav < 0) {
			LOG_ERR("%s: cannot open WAV file %s", dev->name, wav_path);
		}
	}
	if (data->wav < 0) {
		return;
	}
	if (tx->frame_clk_freq != data->wav_rate || tx->channels != data->wav_channels ||
	    tx->word_size != data->wav_word_size) {
		data->counters.wav_skipped_blocks++;
		return;
	}
	i2s_emul_wav_write(data->wav, blk->mem, blk->size);
}
#endif

/* ---- TX clock (timer expiry, interrupt context) ---- */

static void schedule_block_end(struct i2s_emul_data *data, const struct emul_blk *blk)
{
	size_t fb = frame_bytes(&data->tx.cfg);
	uint64_t frames = MAX(DIV_ROUND_UP(blk->size, fb), 1);
	uint64_t hz = CONFIG_SYS_CLOCK_TICKS_PER_SEC;

	data->frames += frames;
	int64_t deadline =
		data->start_tick +
		(int64_t)DIV_ROUND_UP(data->frames * hz, (uint64_t)data->tx.cfg.frame_clk_freq);

	k_timer_start(&data->timer, K_TIMEOUT_ABS_TICKS(deadline), K_NO_WAIT);
}

/* TX stopped (READY or ERROR): RX has no clock anymore. */
static void tx_clock_stopped(struct i2s_emul_data *data)
{
	k_timer_stop(&data->timer);
	if (data->rx.state == I2S_STATE_STOPPING) {
		data->rx.state = I2S_STATE_READY;
		data->rx.stop_with_tx = false;
	}
}

static void rx_receive(struct i2s_emul_data *data, const struct emul_blk *blk)
{
	struct emul_stream *rx = &data->rx;
	struct emul_blk in;

	if (rx->state != I2S_STATE_RUNNING && rx->state != I2S_STATE_STOPPING) {
		return;
	}
	if (k_mem_slab_alloc(rx->cfg.mem_slab, &in.mem, K_NO_WAIT) != 0) {
		goto overrun;
	}
	in.size = rx->cfg.block_size;
	if ((rx->cfg.options | data->tx.cfg.options) & I2S_OPT_LOOPBACK) {
		size_t n = MIN(blk->size, in.size);

		memcpy(in.mem, blk->mem, n);
		memset((uint8_t *)in.mem + n, 0, in.size - n);
	} else {
		memset(in.mem, 0, in.size);
	}
	if (k_msgq_put(rx->queue, &in, K_NO_WAIT) != 0) {
		k_mem_slab_free(rx->cfg.mem_slab, in.mem);
		goto overrun;
	}
	if (rx->state == I2S_STATE_STOPPING && !rx->stop_with_tx) {
		rx->state = I2S_STATE_READY;
	}
	return;
overrun:
	data->counters.rx_overruns++;
	rx->state = I2S_STATE_ERROR;
	rx->stop_with_tx = false;
}

static void tx_block_end(struct k_timer *timer)
{
	struct i2s_emul_data *data = CONTAINER_OF(timer, struct i2s_emul_data, timer);
	struct emul_stream *tx = &data->tx;

	K_SPINLOCK(&data->lock) {
		if (!tx->has_cur ||
		    (tx->state != I2S_STATE_RUNNING && tx->state != I2S_STATE_STOPPING)) {
			K_SPINLOCK_BREAK;
		}
		struct emul_blk done = tx->cur;

		tx->has_cur = false;
		capture_push(data->dev, done.mem, done.size);
#ifdef CONFIG_ATOMVM_I2S_EMUL_WAV
		wav_push(data->dev, &done);
#endif
		rx_receive(data, &done);
		k_mem_slab_free(tx->cfg.mem_slab, done.mem);
		data->counters.played_blocks++;
		data->counters.played_bytes += done.size;

		if (tx->state == I2S_STATE_STOPPING && tx->stop_at_block_end) {
			tx->state = I2S_STATE_READY;
			tx_clock_stopped(data);
			K_SPINLOCK_BREAK;
		}
		if (k_msgq_get(tx->queue, &tx->cur, K_NO_WAIT) == 0) {
			tx->has_cur = true;
			schedule_block_end(data, &tx->cur);
			K_SPINLOCK_BREAK;
		}
		if (tx->state == I2S_STATE_STOPPING) {
			tx->state = I2S_STATE_READY;
		} else {
			data->counters.underruns++;
			tx->state = I2S_STATE_ERROR;
			if (data->rx.coupled && data->rx.state == I2S_STATE_RUNNING) {
				data->rx.state = I2S_STATE_ERROR;
			}
		}
		tx_clock_stopped(data);
	}
}

/* ---- API ---- */

static int check_config(const struct i2s_config *cfg)
{
	uint8_t fmt = cfg->format & I2S_FMT_DATA_FORMAT_MASK;
	bool two_word_format = fmt == I2S_FMT_DATA_FORMAT_I2S ||
			       fmt == I2S_FMT_DATA_FORMAT_LEFT_JUSTIFIED ||
			       fmt == I2S_FMT_DATA_FORMAT_RIGHT_JUSTIFIED;

	if (fmt > FMT_DATA_FORMAT_MAX || (cfg->format & I2S_FMT_DATA_ORDER_LSB)) {
		return -EINVAL;
	}
	if (cfg->word_size != 8 && cfg->word_size != 16 && cfg->word_size != 24 &&
	    cfg->word_size != 32) {
		return -EINVAL;
	}
	/* The I2S-type formats carry at most two words a frame (mono: the same slot twice). */
	if (cfg->channels == 0 || (two_word_format && cfg->channels > 2) || cfg->channels > 8) {
		return -EINVAL;
	}
	if (cfg->frame_clk_freq > MAX_FRAME_CLK_FREQ) {
		return -EINVAL;
	}
	if (cfg->options & I2S_OPT_PINGPONG) {
		return -ENOTSUP;
	}
	if (cfg->mem_slab == NULL || cfg->block_size == 0 ||
	    cfg->block_size % frame_bytes(cfg) != 0 ||
	    cfg->block_size > cfg->mem_slab->info.block_size) {
		return -EINVAL;
	}
	return 0;
}

static void apply_config(struct emul_stream *s, const struct i2s_config *cfg)
{
	if (cfg->frame_clk_freq == 0) {
		purge_queue(s);
		s->state = I2S_STATE_NOT_READY;
		return;
	}
	if (s->state == I2S_STATE_READY && s->cfg.mem_slab != cfg->mem_slab) {
		purge_queue(s);
	}
	s->cfg = *cfg;
	s->state = I2S_STATE_READY;
}

static int i2s_emul_configure(const struct device *dev, enum i2s_dir dir,
			      const struct i2s_config *cfg)
{
	struct i2s_emul_data *data = dev->data;
	int ret = 0;

	if (dir != I2S_DIR_TX && dir != I2S_DIR_RX && dir != I2S_DIR_BOTH) {
		return -EINVAL;
	}
	if (cfg == NULL) {
		return -EINVAL;
	}
	if (cfg->frame_clk_freq != 0) {
		ret = check_config(cfg);
		if (ret < 0) {
			return ret;
		}
	}
	K_SPINLOCK(&data->lock) {
		bool tx = dir == I2S_DIR_TX || dir == I2S_DIR_BOTH;
		bool rx = dir == I2S_DIR_RX || dir == I2S_DIR_BOTH;

		if ((tx && data->tx.state != I2S_STATE_NOT_READY &&
		     data->tx.state != I2S_STATE_READY) ||
		    (rx && data->rx.state != I2S_STATE_NOT_READY &&
		     data->rx.state != I2S_STATE_READY)) {
			ret = -EINVAL;
			K_SPINLOCK_BREAK;
		}
		if (tx) {
			apply_config(&data->tx, cfg);
		}
		if (rx) {
			apply_config(&data->rx, cfg);
		}
	}
	return ret;
}

static const struct i2s_config *i2s_emul_config_get(const struct device *dev, enum i2s_dir dir)
{
	struct i2s_emul_data *data = dev->data;

	if (dir != I2S_DIR_TX && dir != I2S_DIR_RX) {
		return NULL;
	}
	struct emul_stream *s = stream_of(data, dir);

	return s->state == I2S_STATE_NOT_READY ? NULL : &s->cfg;
}

static k_timeout_t to_timeout(int32_t ms)
{
	if (ms == SYS_FOREVER_MS) {
		return K_FOREVER;
	}
	return ms <= 0 ? K_NO_WAIT : K_MSEC(ms);
}

static int i2s_emul_read(const struct device *dev, void **mem_block, size_t *size)
{
	struct i2s_emul_data *data = dev->data;
	struct emul_stream *rx = &data->rx;
	enum i2s_state state;
	struct emul_blk blk;
	int ret;

	K_SPINLOCK(&data->lock) {
		state = rx->state;
	}
	if (state == I2S_STATE_NOT_READY) {
		return -EIO;
	}
	if (state == I2S_STATE_ERROR) {
		/* What was received before the overrun can still be read. */
		ret = k_msgq_get(rx->queue, &blk, K_NO_WAIT);
		if (ret < 0) {
			return -EIO;
		}
	} else {
		ret = k_msgq_get(rx->queue, &blk, to_timeout(rx->cfg.timeout));
		if (ret == -ENOMSG) {
			return -EBUSY;
		}
		if (ret < 0) {
			return ret;
		}
	}
	*mem_block = blk.mem;
	*size = blk.size;
	return 0;
}

static int i2s_emul_write(const struct device *dev, void *mem_block, size_t size)
{
	struct i2s_emul_data *data = dev->data;
	struct emul_stream *tx = &data->tx;
	struct emul_blk blk = {.mem = mem_block, .size = size};
	int ret = 0;

	K_SPINLOCK(&data->lock) {
		if (tx->state != I2S_STATE_READY && tx->state != I2S_STATE_RUNNING) {
			ret = -EIO;
		} else if (size == 0 || size > tx->cfg.block_size) {
			ret = -EINVAL;
		}
	}
	if (ret < 0) {
		return ret;
	}
	ret = k_msgq_put(tx->queue, &blk, to_timeout(tx->cfg.timeout));
	if (ret == 0) {
		atomic_set(&data->last_write_cycles, (atomic_val_t)k_cycle_get_32());
	}
	return ret == -ENOMSG ? -EBUSY : ret;
}

/* Whether `cmd` is allowed on stream `s` (the errors of i2s.h), without changing anything. */
static int trigger_check(struct i2s_emul_data *data, enum i2s_dir dir, enum i2s_trigger_cmd cmd)
{
	struct emul_stream *s = stream_of(data, dir);

	switch (cmd) {
	case I2S_TRIGGER_START:
		if (s->state != I2S_STATE_READY) {
			return -EIO;
		}
		if (dir == I2S_DIR_TX && k_msgq_num_used_get(s->queue) == 0) {
			return -EIO;
		}
		if (dir == I2S_DIR_RX && k_mem_slab_num_free_get(s->cfg.mem_slab) == 0) {
			return -ENOMEM;
		}
		return 0;
	case I2S_TRIGGER_STOP:
	case I2S_TRIGGER_DRAIN:
		return s->state == I2S_STATE_RUNNING ? 0 : -EIO;
	case I2S_TRIGGER_DROP:
		return s->state == I2S_STATE_NOT_READY ? -EIO : 0;
	case I2S_TRIGGER_PREPARE:
		return s->state == I2S_STATE_ERROR ? 0 : -EIO;
	default:
		return -EINVAL;
	}
}

static bool tx_clocking(struct i2s_emul_data *data)
{
	return data->tx.has_cur &&
	       (data->tx.state == I2S_STATE_RUNNING || data->tx.state == I2S_STATE_STOPPING);
}

static void tx_trigger(struct i2s_emul_data *data, enum i2s_trigger_cmd cmd)
{
	struct emul_stream *tx = &data->tx;

	switch (cmd) {
	case I2S_TRIGGER_START:
		/* trigger_check() saw a queued block. */
		(void)k_msgq_get(tx->queue, &tx->cur, K_NO_WAIT);
		tx->has_cur = true;
		tx->stop_at_block_end = false;
		tx->state = I2S_STATE_RUNNING;
		data->start_tick = k_uptime_ticks();
		data->frames = 0;
		schedule_block_end(data, &tx->cur);
		break;
	case I2S_TRIGGER_STOP:
	case I2S_TRIGGER_DRAIN:
		tx->stop_at_block_end = cmd == I2S_TRIGGER_STOP;
		tx->state = I2S_STATE_STOPPING;
		break;
	case I2S_TRIGGER_DROP:
	case I2S_TRIGGER_PREPARE:
		if (tx->has_cur) {
			k_mem_slab_free(tx->cfg.mem_slab, tx->cur.mem);
			tx->has_cur = false;
		}
		purge_queue(tx);
		tx->state = I2S_STATE_READY;
		tx_clock_stopped(data);
		break;
	}
}

static void rx_trigger(struct i2s_emul_data *data, enum i2s_trigger_cmd cmd, bool with_tx)
{
	struct emul_stream *rx = &data->rx;

	switch (cmd) {
	case I2S_TRIGGER_START:
		rx->stop_with_tx = false;
		rx->coupled = with_tx;
		rx->state = I2S_STATE_RUNNING;
		break;
	case I2S_TRIGGER_STOP:
	case I2S_TRIGGER_DRAIN:
		if (tx_clocking(data)) {
			/* Completes at the end of the block being clocked (or with TX). */
			rx->state = I2S_STATE_STOPPING;
			rx->stop_with_tx = with_tx && cmd == I2S_TRIGGER_DRAIN;
		} else {
			rx->state = I2S_STATE_READY;
		}
		break;
	case I2S_TRIGGER_DROP:
	case I2S_TRIGGER_PREPARE:
		purge_queue(rx);
		rx->stop_with_tx = false;
		rx->state = I2S_STATE_READY;
		break;
	}
}

static int i2s_emul_trigger(const struct device *dev, enum i2s_dir dir, enum i2s_trigger_cmd cmd)
{
	struct i2s_emul_data *data = dev->data;
	int ret = 0;

	if (dir != I2S_DIR_TX && dir != I2S_DIR_RX && dir != I2S_DIR_BOTH) {
		return -EINVAL;
	}
	K_SPINLOCK(&data->lock) {
		if (dir == I2S_DIR_BOTH) {
			ret = trigger_check(data, I2S_DIR_TX, cmd);
			if (ret == 0) {
				ret = trigger_check(data, I2S_DIR_RX, cmd);
			}
			if (ret < 0) {
				K_SPINLOCK_BREAK;
			}
			/* TX first: RX STOP / DRAIN looks at whether TX is still clocking. */
			tx_trigger(data, cmd);
			rx_trigger(data, cmd, true);
			K_SPINLOCK_BREAK;
		}
		ret = trigger_check(data, dir, cmd);
		if (ret < 0) {
			K_SPINLOCK_BREAK;
		}
		if (dir == I2S_DIR_TX) {
			tx_trigger(data, cmd);
		} else {
			rx_trigger(data, cmd, false);
		}
	}
	return ret;
}

static DEVICE_API(i2s, i2s_emul_api) = {
	.configure = i2s_emul_configure,
	.config_get = i2s_emul_config_get,
	.read = i2s_emul_read,
	.write = i2s_emul_write,
	.trigger = i2s_emul_trigger,
};

/* ---- test API (<atomvm_ports/i2s_emul.h>) ---- */

static inline bool is_emul(const struct device *dev)
{
	return dev != NULL && dev->api == &i2s_emul_api;
}

int i2s_emul_capture_read(const struct device *dev, uint8_t *buf, size_t len)
{
	if (!is_emul(dev) || (buf == NULL && len > 0)) {
		return -EINVAL;
	}
	const struct i2s_emul_config *cfg = dev->config;
	struct i2s_emul_data *data = dev->data;
	size_t n = 0;

	K_SPINLOCK(&data->lock) {
		n = MIN(len, data->ring_count);
		for (size_t done = 0; done < n;) {
			size_t chunk = MIN(n - done, cfg->ring_size - data->ring_head);

			memcpy(&buf[done], &cfg->ring[data->ring_head], chunk);
			done += chunk;
			data->ring_head = (data->ring_head + chunk) % cfg->ring_size;
		}
		data->ring_count -= n;
	}
	return (int)MIN(n, (size_t)INT32_MAX);
}

int i2s_emul_counters(const struct device *dev, struct i2s_emul_counters *out)
{
	if (!is_emul(dev) || out == NULL) {
		return -EINVAL;
	}
	struct i2s_emul_data *data = dev->data;

	K_SPINLOCK(&data->lock) {
		*out = data->counters;
		out->capture_pending = (uint32_t)data->ring_count;
		out->tx_state = (uint8_t)data->tx.state;
		out->rx_state = (uint8_t)data->rx.state;
		out->tx_queued = (uint16_t)k_msgq_num_used_get(data->tx.queue);
	}
	return 0;
}

int i2s_emul_last_write_cycles(const struct device *dev, uint32_t *cycles)
{
	if (!is_emul(dev) || cycles == NULL) {
		return -EINVAL;
	}
	struct i2s_emul_data *data = dev->data;

	*cycles = (uint32_t)atomic_get(&data->last_write_cycles);
	return 0;
}

int i2s_emul_capture_reset(const struct device *dev)
{
	if (!is_emul(dev)) {
		return -EINVAL;
	}
	struct i2s_emul_data *data = dev->data;

	K_SPINLOCK(&data->lock) {
		data->ring_head = 0;
		data->ring_count = 0;
		memset(&data->counters, 0, sizeof(data->counters));
	}
	return 0;
}

static int i2s_emul_init(const struct device *dev)
{
	const struct i2s_emul_config *cfg = dev->config;
	struct i2s_emul_data *data = dev->data;

	data->dev = dev;
	data->tx.queue = cfg->tx_queue;
	data->rx.queue = cfg->rx_queue;
	data->tx.state = I2S_STATE_NOT_READY;
	data->rx.state = I2S_STATE_NOT_READY;
#ifdef CONFIG_ATOMVM_I2S_EMUL_WAV
	data->wav = -1;
#endif
	k_timer_init(&data->timer, tx_block_end, NULL);
	return 0;
}

#define I2S_EMUL_DEFINE(n)                                                                         \
	K_MSGQ_DEFINE(i2s_emul_txq_##n, sizeof(struct emul_blk),                                   \
		      CONFIG_ATOMVM_I2S_EMUL_TX_QUEUE_DEPTH, sizeof(void *));                      \
	K_MSGQ_DEFINE(i2s_emul_rxq_##n, sizeof(struct emul_blk),                                   \
		      CONFIG_ATOMVM_I2S_EMUL_RX_QUEUE_DEPTH, sizeof(void *));                      \
	static uint8_t i2s_emul_ring_##n[MAX(CONFIG_ATOMVM_I2S_EMUL_CAPTURE_SIZE, 1)];             \
	static const struct i2s_emul_config i2s_emul_config_##n = {                                \
		.tx_queue = &i2s_emul_txq_##n,                                                     \
		.rx_queue = &i2s_emul_rxq_##n,                                                     \
		.ring = i2s_emul_ring_##n,                                                         \
		.ring_size = CONFIG_ATOMVM_I2S_EMUL_CAPTURE_SIZE,                                  \
		.inst = n,                                                                         \
	};                                                                                         \
	static struct i2s_emul_data i2s_emul_data_##n;                                             \
	DEVICE_DT_INST_DEFINE(n, i2s_emul_init, NULL, &i2s_emul_data_##n, &i2s_emul_config_##n,    \
			      POST_KERNEL, CONFIG_I2S_INIT_PRIORITY, &i2s_emul_api);

DT_INST_FOREACH_STATUS_OKAY(I2S_EMUL_DEFINE)

#define I2S_EMUL_DEVICE_REF(n) DEVICE_DT_INST_GET(n),

const struct device *i2s_emul_device(unsigned int inst)
{
	static const struct device *const devices[] = {
		DT_INST_FOREACH_STATUS_OKAY(I2S_EMUL_DEVICE_REF)};

	return inst < ARRAY_SIZE(devices) ? devices[inst] : NULL;
}
