/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Emulated targets for the HAL tests, plus the few C helpers the Rust side calls to inspect
 * them (all prefixed hal_test_).
 *
 *  - atomvm,test-i2c-regs: 16 registers behind an auto-incrementing pointer (the first byte
 *    written after START/RESTART). Pointers 0xE0..0xE3 make the transfer fail with -EIO (NACK),
 *    -EBUSY, -EAGAIN and -ETIMEDOUT. Each transfer's message flags and lengths are logged.
 *  - atomvm,test-spi-recorder: logs every transceive call (operation word, length, tx bytes).
 *    A frame is the run of calls while CS stays asserted: it ends with a call made without
 *    SPI_HOLD_ON_CS. The device answers each byte with 0x80 + its position in the frame, so a
 *    read shows whether CS stayed asserted across calls.
 *  - GPIO: pins of the gpio-emul controller driven from k_timers (interrupt context).
 */

#include <errno.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/drivers/emul.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/gpio/gpio_emul.h>
#include <zephyr/drivers/i2c.h>
#include <zephyr/drivers/i2c_emul.h>
#include <zephyr/drivers/spi.h>
#include <zephyr/drivers/spi_emul.h>
#include <zephyr/kernel.h>

#include <atomvm_ports/spi_async_emul.h>

/* ------------------------------------------------------------------------------------ I2C */

#define REGS_NODE DT_NODELABEL(hal_regs)
#define LOG_MAX 16

static uint8_t regs[16];
static uint8_t reg_ptr;
static uint8_t log_flags[LOG_MAX];
static uint32_t log_lens[LOG_MAX];
static int log_count;
static int i2c_transfers;

static const int injected[] = {-EIO, -EBUSY, -EAGAIN, -ETIMEDOUT};

static int regs_transfer(const struct emul *target, struct i2c_msg *msgs, int num_msgs, int addr)
{
	ARG_UNUSED(target);
	ARG_UNUSED(addr);

	i2c_transfers++;
	log_count = MIN(num_msgs, LOG_MAX);
	for (int i = 0; i < log_count; i++) {
		log_flags[i] = msgs[i].flags;
		log_lens[i] = msgs[i].len;
	}

	for (int i = 0; i < num_msgs; i++) {
		const struct i2c_msg *m = &msgs[i];
		bool started = i == 0 || (m->flags & I2C_MSG_RESTART);
		uint32_t k = 0;

		if (m->flags & I2C_MSG_READ) {
			for (; k < m->len; k++) {
				m->buf[k] = regs[reg_ptr++ & 0xf];
			}
			continue;
		}
		if (started && m->len > 0) {
			reg_ptr = m->buf[0];
			k = 1;
			if (reg_ptr >= 0xe0 && reg_ptr < 0xe0 + ARRAY_SIZE(injected)) {
				return injected[reg_ptr - 0xe0];
			}
		}
		for (; k < m->len; k++) {
			regs[reg_ptr++ & 0xf] = m->buf[k];
		}
	}
	return 0;
}

static const struct i2c_emul_api regs_api = {
	.transfer = regs_transfer,
};

static int regs_init(const struct emul *target, const struct device *parent)
{
	ARG_UNUSED(target);
	ARG_UNUSED(parent);
	return 0;
}

DEVICE_DT_DEFINE(REGS_NODE, NULL, NULL, NULL, NULL, POST_KERNEL, CONFIG_I2C_INIT_PRIORITY, NULL);
EMUL_DT_DEFINE(REGS_NODE, regs_init, NULL, NULL, &regs_api, NULL);

int hal_test_i2c_log(uint8_t *flags, uint32_t *lens, int max)
{
	for (int i = 0; i < MIN(max, log_count); i++) {
		flags[i] = log_flags[i];
		lens[i] = log_lens[i];
	}
	return log_count;
}

int hal_test_i2c_transfers(void)
{
	return i2c_transfers;
}

uint8_t hal_test_i2c_reg(int idx)
{
	return regs[idx & 0xf];
}

/* ------------------------------------------------------------------------------------ SPI */

#define SPIDEV_NODE DT_NODELABEL(hal_spidev)
#define CALLS_MAX 16
#define TX_MAX 128

static uint32_t call_ops[CALLS_MAX];
static size_t call_lens[CALLS_MAX];
static int spi_calls;
static int spi_frames;
static uint8_t tx_log[TX_MAX];
static int tx_len;
static uint8_t frame_pos;

static size_t total_len(const struct spi_buf_set *set)
{
	size_t n = 0;

	for (size_t i = 0; set != NULL && i < set->count; i++) {
		n += set->buffers[i].len;
	}
	return n;
}

/* The byte at offset k of a buffer set, or NULL if that part is a NULL buffer or absent. */
static uint8_t *byte_at(const struct spi_buf_set *set, size_t k)
{
	for (size_t i = 0; set != NULL && i < set->count; i++) {
		if (k < set->buffers[i].len) {
			return set->buffers[i].buf ? (uint8_t *)set->buffers[i].buf + k : NULL;
		}
		k -= set->buffers[i].len;
	}
	return NULL;
}

static int recorder_io(const struct emul *target, const struct spi_config *config,
		       const struct spi_buf_set *tx_bufs, const struct spi_buf_set *rx_bufs)
{
	ARG_UNUSED(target);

	size_t len = MAX(total_len(tx_bufs), total_len(rx_bufs));

	if (spi_calls < CALLS_MAX) {
		call_ops[spi_calls] = config->operation;
		call_lens[spi_calls] = len;
	}
	spi_calls++;
	for (size_t k = 0; k < len; k++) {
		uint8_t *tx = byte_at(tx_bufs, k);
		uint8_t *rx = byte_at(rx_bufs, k);
		uint8_t out = tx ? *tx : 0x00;

		if (tx_len < TX_MAX) {
			tx_log[tx_len++] = out;
		}
		if (rx) {
			*rx = 0x80 + frame_pos;
		}
		frame_pos++;
	}
	if (!(config->operation & SPI_HOLD_ON_CS)) {
		spi_frames++;
		frame_pos = 0;
	}
	return 0;
}

static const struct spi_emul_api recorder_api = {
	.io = recorder_io,
};

static int recorder_init(const struct emul *target, const struct device *parent)
{
	ARG_UNUSED(target);
	ARG_UNUSED(parent);
	return 0;
}

DEVICE_DT_DEFINE(SPIDEV_NODE, NULL, NULL, NULL, NULL, POST_KERNEL, CONFIG_SPI_INIT_PRIORITY, NULL);
EMUL_DT_DEFINE(SPIDEV_NODE, recorder_init, NULL, NULL, &recorder_api, NULL);

void hal_test_spi_reset(void)
{
	spi_calls = 0;
	spi_frames = 0;
	tx_len = 0;
	frame_pos = 0;
}

int hal_test_spi_calls(void)
{
	return spi_calls;
}

int hal_test_spi_frames(void)
{
	return spi_frames;
}

uint32_t hal_test_spi_call_op(int i)
{
	return i < CALLS_MAX ? call_ops[i] : 0;
}

size_t hal_test_spi_call_len(int i)
{
	return i < CALLS_MAX ? call_lens[i] : 0;
}

int hal_test_spi_tx(uint8_t *buf, int max)
{
	int n = MIN(max, tx_len);

	memcpy(buf, tx_log, n);
	return n;
}

uint32_t hal_test_spi_hold_on_cs(void)
{
	return SPI_HOLD_ON_CS;
}

/* The module's SPI register files (atomvm,spi-regs-emul) of app.overlay. */
const struct emul *hal_test_spi_regs_emul(int which)
{
	switch (which) {
	case 0:
		return EMUL_DT_GET(DT_NODELABEL(hal_regs_spi));
	case 1:
		return EMUL_DT_GET(DT_NODELABEL(hal_lis3dh));
	default:
		return EMUL_DT_GET(DT_NODELABEL(hal_isr_regs));
	}
}

/* The module's controller with transceive_async (atomvm,spi-emul-async-controller). */
const struct device *hal_test_spi_isr_bus(void)
{
	return DEVICE_DT_GET(DT_NODELABEL(hal_spi_isr));
}

/* Its counters: sync calls, async calls, callbacks, callbacks in ISR, failed, releases. */
int hal_test_spi_isr_counters(uint32_t out[6])
{
	struct spi_async_emul_counters c;
	int ret = spi_async_emul_counters(hal_test_spi_isr_bus(), &c);

	if (ret == 0) {
		out[0] = c.sync_calls;
		out[1] = c.async_calls;
		out[2] = c.callbacks;
		out[3] = c.callbacks_in_isr;
		out[4] = c.failed;
		out[5] = c.releases;
	}
	return ret;
}

int hal_test_spi_isr_busy(void)
{
	return spi_async_emul_busy(hal_test_spi_isr_bus());
}

/* ----------------------------------------------------------------------------------- GPIO */

static const struct device *const gpio_port = DEVICE_DT_GET(DT_NODELABEL(hal_gpio));

int hal_test_gpio_out(int pin)
{
	return gpio_emul_output_get(gpio_port, pin);
}

/* 1 if the pin is configured as an output, 0 if not, or a negative errno. */
int hal_test_gpio_is_output(int pin)
{
	gpio_flags_t flags = 0;
	int ret = gpio_emul_flags_get(gpio_port, pin, &flags);

	return ret < 0 ? ret : (flags & GPIO_OUTPUT) != 0;
}

int hal_test_gpio_in(int pin, int value)
{
	return gpio_emul_input_set(gpio_port, pin, value);
}

struct later {
	struct k_timer timer;
	int pin;
	int value;
};

static struct later laters[4];

static void later_expired(struct k_timer *timer)
{
	struct later *l = CONTAINER_OF(timer, struct later, timer);

	(void)gpio_emul_input_set(gpio_port, l->pin, l->value);
}

/* Sets an input pin from interrupt context (a k_timer) after `ms` milliseconds. */
void hal_test_gpio_later(int slot, int pin, int value, int ms)
{
	struct later *l = &laters[slot & 3];

	k_timer_init(&l->timer, later_expired, NULL);
	l->pin = pin;
	l->value = value;
	k_timer_start(&l->timer, K_MSEC(ms), K_NO_WAIT);
}

/* ------------------------------------------------------------- callback (async) controllers */
/*
 * atomvm,test-async-i2c / atomvm,test-async-spi: controllers that implement the callback APIs
 * (i2c_transfer_cb, spi_transceive_cb), which the emulated controllers lack. A request is
 * carried out 5 ms later by the system work queue on the emulated controller (so it reaches the
 * same emulated targets) and completed through the caller's callback from that thread.
 *
 * The SPI one configures as Zephyr's controller drivers do (spi_context_configured()): a
 * config at the address it last applied is taken as already applied, so the frequency, mode,
 * word size, slave and chip select stay those applied then; only the per-call flags
 * (SPI_HOLD_ON_CS, SPI_LOCK_ON) are read anew. The emulated devices see the applied config.
 */

#define EMUL_I2C DEVICE_DT_GET(DT_NODELABEL(hal_i2c))
#define EMUL_SPI DEVICE_DT_GET(DT_NODELABEL(hal_spi))

static struct {
	struct k_work_delayable work;
	const struct device *dev;
	struct i2c_msg *msgs;
	uint8_t num_msgs;
	uint16_t addr;
	i2c_callback_t cb;
	void *userdata;
	bool busy;
} i2c_req;

static void i2c_req_run(struct k_work *work)
{
	ARG_UNUSED(work);
	int ret = i2c_transfer(EMUL_I2C, i2c_req.msgs, i2c_req.num_msgs, i2c_req.addr);

	i2c_req.busy = false;
	i2c_req.cb(i2c_req.dev, ret, i2c_req.userdata);
}

static int async_i2c_configure(const struct device *dev, uint32_t config)
{
	ARG_UNUSED(dev);
	return i2c_configure(EMUL_I2C, config);
}

static int async_i2c_get_config(const struct device *dev, uint32_t *config)
{
	ARG_UNUSED(dev);
	return i2c_get_config(EMUL_I2C, config);
}

static int async_i2c_transfer(const struct device *dev, struct i2c_msg *msgs, uint8_t num_msgs,
			      uint16_t addr)
{
	ARG_UNUSED(dev);
	return i2c_transfer(EMUL_I2C, msgs, num_msgs, addr);
}

static int async_i2c_transfer_cb(const struct device *dev, struct i2c_msg *msgs, uint8_t num_msgs,
				 uint16_t addr, i2c_callback_t cb, void *userdata)
{
	if (i2c_req.busy) {
		return -EBUSY;
	}
	i2c_req.busy = true;
	i2c_req.dev = dev;
	i2c_req.msgs = msgs;
	i2c_req.num_msgs = num_msgs;
	i2c_req.addr = addr;
	i2c_req.cb = cb;
	i2c_req.userdata = userdata;
	k_work_schedule(&i2c_req.work, K_MSEC(5));
	return 0;
}

static DEVICE_API(i2c, async_i2c_api) = {
	.configure = async_i2c_configure,
	.get_config = async_i2c_get_config,
	.transfer = async_i2c_transfer,
	.transfer_cb = async_i2c_transfer_cb,
};

static int async_i2c_init(const struct device *dev)
{
	ARG_UNUSED(dev);
	k_work_init_delayable(&i2c_req.work, i2c_req_run);
	return 0;
}

DEVICE_DT_DEFINE(DT_NODELABEL(hal_i2c_async), async_i2c_init, NULL, NULL, NULL, POST_KERNEL,
		 CONFIG_I2C_INIT_PRIORITY, &async_i2c_api);

static struct {
	struct k_work_delayable work;
	const struct device *dev;
	const struct spi_config *config;
	const struct spi_buf_set *tx;
	const struct spi_buf_set *rx;
	spi_callback_t cb;
	void *userdata;
	bool busy;
} spi_req;

static const struct spi_config *spi_applied_at;
static struct spi_config spi_applied;

static const struct spi_config *spi_effective(const struct spi_config *config)
{
	const uint32_t live = SPI_HOLD_ON_CS | SPI_LOCK_ON;

	if (config != spi_applied_at) {
		spi_applied = *config;
		spi_applied_at = config;
	}
	spi_applied.operation = (spi_applied.operation & ~live) | (config->operation & live);
	return &spi_applied;
}

static void spi_req_run(struct k_work *work)
{
	ARG_UNUSED(work);
	int ret = spi_transceive(EMUL_SPI, spi_effective(spi_req.config), spi_req.tx, spi_req.rx);

	spi_req.busy = false;
	spi_req.cb(spi_req.dev, ret, spi_req.userdata);
}

static int async_spi_transceive(const struct device *dev, const struct spi_config *config,
				const struct spi_buf_set *tx, const struct spi_buf_set *rx)
{
	ARG_UNUSED(dev);
	return spi_transceive(EMUL_SPI, spi_effective(config), tx, rx);
}

static int async_spi_transceive_async(const struct device *dev, const struct spi_config *config,
				      const struct spi_buf_set *tx, const struct spi_buf_set *rx,
				      spi_callback_t cb, void *userdata)
{
	if (spi_req.busy) {
		return -EBUSY;
	}
	spi_req.busy = true;
	spi_req.dev = dev;
	spi_req.config = config;
	spi_req.tx = tx;
	spi_req.rx = rx;
	spi_req.cb = cb;
	spi_req.userdata = userdata;
	k_work_schedule(&spi_req.work, K_MSEC(5));
	return 0;
}

static int async_spi_release(const struct device *dev, const struct spi_config *config)
{
	ARG_UNUSED(dev);
	return spi_release(EMUL_SPI, config);
}

static DEVICE_API(spi, async_spi_api) = {
	.transceive = async_spi_transceive,
	.transceive_async = async_spi_transceive_async,
	.release = async_spi_release,
};

static int async_spi_init(const struct device *dev)
{
	ARG_UNUSED(dev);
	k_work_init_delayable(&spi_req.work, spi_req_run);
	return 0;
}

DEVICE_DT_DEFINE(DT_NODELABEL(hal_spi_async), async_spi_init, NULL, NULL, NULL, POST_KERNEL,
		 CONFIG_SPI_INIT_PRIORITY, &async_spi_api);
