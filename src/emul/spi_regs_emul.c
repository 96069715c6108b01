/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Emulated SPI register file (compatible "atomvm,spi-regs-emul") on Zephyr's SPI emulator
 * controller, for tests and samples without hardware (CONFIG_ATOMVM_SPI_REGS_EMUL). Protocol,
 * framing and properties: dts/bindings/spi/atomvm,spi-regs-emul.yaml; test API:
 * <atomvm_ports/spi_regs_emul.h>.
 *
 * Each transfer is put on a bit-level wire: every word of the tx buffers (NULL: zero words) is
 * shifted out in the configured bit order, the device shifts in 8 bits at a time MSB first and
 * shifts out its reply at the same clocks, and the reply bits are gathered into the rx words the
 * same way. So word sizes and bit orders reach the device as they would on real wires.
 */

#define DT_DRV_COMPAT atomvm_spi_regs_emul

#include <errno.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/drivers/emul.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/spi.h>
#include <zephyr/drivers/spi_emul.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/util.h>

#ifdef CONFIG_GPIO_EMUL
#include <zephyr/drivers/gpio/gpio_emul.h>
#endif

#include <atomvm_ports/spi_regs_emul.h>

BUILD_ASSERT(sizeof(struct spi_regs_emul_counters) == 32, "layout shared with atomvm-emul");
BUILD_ASSERT(sizeof(struct spi_regs_emul_config) == (sizeof(void *) == 8 ? 40 : 32),
	     "layout shared with atomvm-emul");

struct spi_regs_emul_cfg {
	uint16_t size;
	uint8_t read_flag;
	uint8_t address_mask;
	uint8_t increment_flag;
	uint8_t idle_byte;
	/* initial-registers: pairs <register value>; read-only-registers. */
	const uint8_t *initial;
	size_t initial_len;
	const uint8_t *read_only;
	size_t read_only_len;
	bool has_select;
	struct gpio_dt_spec select;
};

struct spi_regs_emul_data {
	const struct emul *target;
	struct k_spinlock lock;
	uint8_t regs[256];
	/* read-only-registers as a bitmap. */
	uint32_t read_only[256 / 32];
	/* Frame state: bytes done in this frame, read or write, auto-increment, pointer. */
	uint32_t frame_pos;
	bool reading;
	bool increment;
	uint8_t ptr;
	/* Bit accumulator of the byte on the wire. */
	uint8_t in_acc;
	uint8_t out_byte;
	uint8_t nbits;
	/* select-gpios: whether the line is active. */
	bool selected;
	struct gpio_callback select_cb;
	uint32_t fail_left;
	int fail_err;
	struct spi_regs_emul_counters counters;
	struct spi_regs_emul_config last;
};

static const struct spi_emul_api spi_regs_emul_api;

static bool is_ours(const struct emul *target)
{
	return target != NULL && target->bus_type == EMUL_BUS_TYPE_SPI &&
	       target->bus.spi != NULL && target->bus.spi->api == &spi_regs_emul_api;
}

/* Called with the lock held. */
static void end_frame(struct spi_regs_emul_data *data)
{
	if (data->frame_pos > 0) {
		data->counters.frames++;
	}
	data->frame_pos = 0;
	data->reading = false;
	data->nbits = 0;
	data->in_acc = 0;
}

/* The byte the device shifts out next. */
static uint8_t device_out(const struct spi_regs_emul_cfg *cfg, struct spi_regs_emul_data *data)
{
	if (data->frame_pos > 0 && data->reading) {
		return data->regs[data->ptr];
	}
	return cfg->idle_byte;
}

/* The byte the device just shifted in. */
static void device_in(const struct spi_regs_emul_cfg *cfg, struct spi_regs_emul_data *data,
		      uint8_t byte)
{
	if (data->frame_pos == 0) {
		data->reading = (byte & cfg->read_flag) != 0;
		data->increment = cfg->increment_flag == 0 || (byte & cfg->increment_flag) != 0;
		data->ptr = (byte & cfg->address_mask) % cfg->size;
		if (data->reading) {
			data->counters.read_frames++;
		} else {
			data->counters.write_frames++;
		}
	} else {
		if (!data->reading && !(data->read_only[data->ptr / 32] & BIT(data->ptr % 32))) {
			data->regs[data->ptr] = byte;
		}
		if (data->increment) {
			data->ptr = (data->ptr + 1) % cfg->size;
		}
	}
	data->frame_pos++;
	data->counters.bytes++;
}

/* One clock: shifts `in` into the device, returns the bit it shifts out. */
static unsigned int clock_bit(const struct spi_regs_emul_cfg *cfg,
			      struct spi_regs_emul_data *data, unsigned int in)
{
	if (data->nbits == 0) {
		data->out_byte = device_out(cfg, data);
	}
	unsigned int out = (data->out_byte >> (7 - data->nbits)) & 1U;

	data->in_acc = (uint8_t)((data->in_acc << 1) | (in & 1U));
	if (++data->nbits == 8) {
		device_in(cfg, data, data->in_acc);
		data->nbits = 0;
		data->in_acc = 0;
	}
	return out;
}

static size_t set_len(const struct spi_buf_set *set)
{
	size_t n = 0;

	for (size_t i = 0; set != NULL && i < set->count; i++) {
		n += set->buffers[i].len;
	}
	return n;
}

/* Address of byte `k` of a buffer set, or NULL (a NULL buffer, or past its end). */
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

/* A word of `fb` bytes at byte offset `k` (native order); 0 where there is no buffer. */
static uint32_t word_at(const struct spi_buf_set *set, size_t k, size_t fb)
{
	uint8_t *p = byte_at(set, k);

	if (p == NULL) {
		return 0;
	}
	switch (fb) {
	case 1:
		return *p;
	case 2: {
		uint16_t w;

		memcpy(&w, p, 2);
		return w;
	}
	default: {
		uint32_t w;

		memcpy(&w, p, 4);
		return w;
	}
	}
}

static void put_word(const struct spi_buf_set *set, size_t k, size_t fb, uint32_t w)
{
	uint8_t *p = byte_at(set, k);

	if (p == NULL) {
		return;
	}
	switch (fb) {
	case 1:
		*p = (uint8_t)w;
		break;
	case 2: {
		uint16_t v = (uint16_t)w;

		memcpy(p, &v, 2);
		break;
	}
	default:
		memcpy(p, &w, 4);
		break;
	}
}

static void record_config(struct spi_regs_emul_data *data, const struct spi_config *config)
{
	struct spi_regs_emul_config *l = &data->last;

	memset(l, 0, sizeof(*l));
	l->frequency = config->frequency;
	l->operation = config->operation;
	l->slave = config->slave;
	l->mode = (uint8_t)(((config->operation & SPI_MODE_CPOL) ? 2 : 0) |
			    ((config->operation & SPI_MODE_CPHA) ? 1 : 0));
	l->word_size = (uint8_t)SPI_WORD_SIZE_GET(config->operation);
	l->lsb_first = (config->operation & SPI_TRANSFER_LSB) ? 1 : 0;
	l->cs_active_high = (config->operation & SPI_CS_ACTIVE_HIGH) ? 1 : 0;
	l->cs_is_gpio = config->cs.cs_is_gpio ? 1 : 0;
	if (config->cs.cs_is_gpio) {
		l->cs_gpio_port = config->cs.gpio.port;
		l->cs_gpio_pin = config->cs.gpio.pin;
		l->cs_gpio_flags = config->cs.gpio.dt_flags;
		l->cs_delay = config->cs.delay;
	} else {
		l->cs_delay = config->cs.setup_ns;
		l->cs_hold_ns = config->cs.hold_ns;
	}
	l->seen = 1;
}

static size_t frame_bytes(unsigned int word_size)
{
	if (word_size >= 1 && word_size <= 8) {
		return 1;
	}
	if (word_size >= 9 && word_size <= 16) {
		return 2;
	}
	if (word_size >= 17 && word_size <= 32) {
		return 4;
	}
	return 0;
}

static int spi_regs_emul_io(const struct emul *target, const struct spi_config *config,
			    const struct spi_buf_set *tx_bufs, const struct spi_buf_set *rx_bufs)
{
	const struct spi_regs_emul_cfg *cfg = target->cfg;
	struct spi_regs_emul_data *data = target->data;
	unsigned int ws = SPI_WORD_SIZE_GET(config->operation);
	size_t fb = frame_bytes(ws);
	size_t len = MAX(set_len(tx_bufs), set_len(rx_bufs));
	bool lsb = (config->operation & SPI_TRANSFER_LSB) != 0;
	int ret = 0;

	K_SPINLOCK(&data->lock) {
		data->counters.transfers++;
		record_config(data, config);
		if (data->fail_left > 0) {
			data->fail_left--;
			data->counters.failed++;
			end_frame(data);
			ret = data->fail_err;
			K_SPINLOCK_BREAK;
		}
		if (fb == 0) {
			ret = -ENOTSUP;
			K_SPINLOCK_BREAK;
		}
		if (len % fb != 0) {
			ret = -EINVAL;
			K_SPINLOCK_BREAK;
		}
		if (cfg->has_select && !data->selected) {
			/* Nobody drives MISO: the controller reads all ones. */
			data->counters.deselected++;
			for (size_t k = 0; k < len; k += fb) {
				put_word(rx_bufs, k, fb, UINT32_MAX);
			}
			K_SPINLOCK_BREAK;
		}
		for (size_t k = 0; k < len; k += fb) {
			uint32_t in = word_at(tx_bufs, k, fb);
			uint32_t out = 0;

			for (unsigned int b = 0; b < ws; b++) {
				unsigned int i = lsb ? b : ws - 1 - b;

				out |= (uint32_t)clock_bit(cfg, data, (in >> i) & 1U) << i;
			}
			put_word(rx_bufs, k, fb, out);
		}
		if (!cfg->has_select && !(config->operation & SPI_HOLD_ON_CS)) {
			end_frame(data);
		}
	}
	return ret;
}

static const struct spi_emul_api spi_regs_emul_api = {
	.io = spi_regs_emul_io,
};

#ifdef CONFIG_GPIO_EMUL
/* gpio-emul runs the port's callbacks when an output pin is written. */
static void select_changed(const struct device *port, struct gpio_callback *cb, uint32_t pins)
{
	struct spi_regs_emul_data *data = CONTAINER_OF(cb, struct spi_regs_emul_data, select_cb);
	const struct spi_regs_emul_cfg *cfg = data->target->cfg;
	int raw = gpio_emul_output_get(port, cfg->select.pin);

	ARG_UNUSED(pins);
	if (raw < 0) {
		return;
	}
	bool active = (raw != 0) != ((cfg->select.dt_flags & GPIO_ACTIVE_LOW) != 0);

	K_SPINLOCK(&data->lock) {
		if (active != data->selected) {
			/* Either edge ends the frame in progress (if any) and starts afresh. */
			end_frame(data);
			data->selected = active;
		}
	}
}
#endif

static int spi_regs_emul_init(const struct emul *target, const struct device *parent)
{
	const struct spi_regs_emul_cfg *cfg = target->cfg;
	struct spi_regs_emul_data *data = target->data;

	ARG_UNUSED(parent);
	data->target = target;
	/* The build checked that every register named here is below size. */
	for (size_t i = 0; i + 1 < cfg->initial_len; i += 2) {
		data->regs[cfg->initial[i]] = cfg->initial[i + 1];
	}
	for (size_t i = 0; i < cfg->read_only_len; i++) {
		data->read_only[cfg->read_only[i] / 32] |= BIT(cfg->read_only[i] % 32);
	}
	if (!cfg->has_select) {
		return 0;
	}
#ifdef CONFIG_GPIO_EMUL
	if (!gpio_is_ready_dt(&cfg->select)) {
		return -ENODEV;
	}
	gpio_init_callback(&data->select_cb, select_changed, BIT(cfg->select.pin));
	return gpio_add_callback_dt(&cfg->select, &data->select_cb);
#else
	return -ENOTSUP;
#endif
}

int spi_regs_emul_read(const struct emul *target, uint16_t reg, uint8_t *buf, size_t len)
{
	if (!is_ours(target)) {
		return -EINVAL;
	}
	const struct spi_regs_emul_cfg *cfg = target->cfg;
	struct spi_regs_emul_data *data = target->data;

	K_SPINLOCK(&data->lock) {
		for (size_t i = 0; i < len; i++) {
			buf[i] = data->regs[(reg + i) % cfg->size];
		}
	}
	return 0;
}

int spi_regs_emul_write(const struct emul *target, uint16_t reg, const uint8_t *buf, size_t len)
{
	if (!is_ours(target)) {
		return -EINVAL;
	}
	const struct spi_regs_emul_cfg *cfg = target->cfg;
	struct spi_regs_emul_data *data = target->data;

	K_SPINLOCK(&data->lock) {
		for (size_t i = 0; i < len; i++) {
			data->regs[(reg + i) % cfg->size] = buf[i];
		}
	}
	return 0;
}

int spi_regs_emul_fail_next(const struct emul *target, uint32_t n, int err)
{
	if (!is_ours(target) || (n > 0 && err >= 0)) {
		return -EINVAL;
	}
	struct spi_regs_emul_data *data = target->data;

	K_SPINLOCK(&data->lock) {
		data->fail_left = n;
		data->fail_err = err;
	}
	return 0;
}

int spi_regs_emul_counters(const struct emul *target, struct spi_regs_emul_counters *out)
{
	if (!is_ours(target)) {
		return -EINVAL;
	}
	struct spi_regs_emul_data *data = target->data;

	K_SPINLOCK(&data->lock) {
		*out = data->counters;
	}
	return 0;
}

int spi_regs_emul_last_config(const struct emul *target, struct spi_regs_emul_config *out)
{
	if (!is_ours(target)) {
		return -EINVAL;
	}
	struct spi_regs_emul_data *data = target->data;

	K_SPINLOCK(&data->lock) {
		*out = data->last;
	}
	return 0;
}

int spi_regs_emul_reset(const struct emul *target)
{
	if (!is_ours(target)) {
		return -EINVAL;
	}
	struct spi_regs_emul_data *data = target->data;

	K_SPINLOCK(&data->lock) {
		end_frame(data);
		memset(&data->counters, 0, sizeof(data->counters));
		memset(&data->last, 0, sizeof(data->last));
		data->fail_left = 0;
		data->fail_err = 0;
	}
	return 0;
}

/* Every register named in initial-registers (even indexes) or read-only-registers < size. */
#define CHECK_INITIAL(node, prop, idx)                                                             \
	BUILD_ASSERT((idx) % 2 != 0 || DT_PROP_BY_IDX(node, prop, idx) < DT_PROP(node, size),      \
		     "atomvm,spi-regs-emul: initial-registers names a register past size");
#define CHECK_READ_ONLY(node, prop, idx)                                                           \
	BUILD_ASSERT(DT_PROP_BY_IDX(node, prop, idx) < DT_PROP(node, size),                        \
		     "atomvm,spi-regs-emul: read-only-registers names a register past size");

/* A property's bytes as a static array and its length, or NULL and 0 without it. */
#define BYTES(n, prop)                                                                             \
	COND_CODE_1(DT_INST_NODE_HAS_PROP(n, prop),                                                \
		    (static const uint8_t spi_regs_emul_##prop##_##n[] = DT_INST_PROP(n, prop);    \
		     DT_INST_FOREACH_PROP_ELEM(n, prop, CHECK_##prop)), ())
#define CHECK_initial_registers   CHECK_INITIAL
#define CHECK_read_only_registers CHECK_READ_ONLY
#define BYTES_PTR(n, prop)                                                                         \
	COND_CODE_1(DT_INST_NODE_HAS_PROP(n, prop), (spi_regs_emul_##prop##_##n), (NULL))
#define BYTES_LEN(n, prop) DT_INST_PROP_LEN_OR(n, prop, 0)

#define SPI_REGS_EMUL(n)                                                                           \
	BUILD_ASSERT(DT_INST_PROP(n, size) >= 1 && DT_INST_PROP(n, size) <= 256,                   \
		     "atomvm,spi-regs-emul: size is 1..256");                                      \
	BUILD_ASSERT(DT_INST_PROP_LEN_OR(n, initial_registers, 0) % 2 == 0,                        \
		     "atomvm,spi-regs-emul: initial-registers are pairs <register value>");        \
	BYTES(n, initial_registers)                                                                \
	BYTES(n, read_only_registers)                                                              \
	static struct spi_regs_emul_data spi_regs_emul_data_##n;                                   \
	static const struct spi_regs_emul_cfg spi_regs_emul_cfg_##n = {                            \
		.size = DT_INST_PROP(n, size),                                                     \
		.read_flag = DT_INST_PROP(n, read_flag),                                           \
		.address_mask = DT_INST_PROP(n, address_mask),                                     \
		.increment_flag = DT_INST_PROP(n, auto_increment_flag),                            \
		.idle_byte = DT_INST_PROP(n, idle_byte),                                           \
		.initial = BYTES_PTR(n, initial_registers),                                        \
		.initial_len = BYTES_LEN(n, initial_registers),                                    \
		.read_only = BYTES_PTR(n, read_only_registers),                                    \
		.read_only_len = BYTES_LEN(n, read_only_registers),                                \
		.has_select = DT_INST_NODE_HAS_PROP(n, select_gpios),                              \
		.select = GPIO_DT_SPEC_INST_GET_OR(n, select_gpios, {0}),                          \
	};                                                                                         \
	DEVICE_DT_INST_DEFINE(n, NULL, NULL, NULL, NULL, POST_KERNEL, CONFIG_SPI_INIT_PRIORITY,    \
			      NULL);                                                               \
	EMUL_DT_INST_DEFINE(n, spi_regs_emul_init, &spi_regs_emul_data_##n,                        \
			    &spi_regs_emul_cfg_##n, &spi_regs_emul_api, NULL)

DT_INST_FOREACH_STATUS_OKAY(SPI_REGS_EMUL)

const struct emul *spi_regs_emul_get(unsigned int inst)
{
#define SPI_REGS_EMUL_REF(n) EMUL_DT_GET(DT_DRV_INST(n)),
	static const struct emul *const all[] = {DT_INST_FOREACH_STATUS_OKAY(SPI_REGS_EMUL_REF)};

	return inst < ARRAY_SIZE(all) ? all[inst] : NULL;
}
