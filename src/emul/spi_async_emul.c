/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Emulated SPI controller with transceive_async (compatible
 * "atomvm,spi-emul-async-controller", CONFIG_ATOMVM_SPI_ASYNC_EMUL): the interrupt-context
 * completion path of real controllers, on SPI device emulators. Behaviour and properties:
 * dts/bindings/spi/atomvm,spi-emul-async-controller.yaml; test API:
 * <atomvm_ports/spi_async_emul.h>.
 *
 * The controller finds its children's emulators itself (the emulated SPI bus's
 * emul_init_for_bus() registers them with Zephyr's own controller, whose data this is not) and
 * calls their spi_emul_api. An asynchronous transfer is carried out by a k_timer's expiry
 * function, which Zephyr calls from the system clock interrupt: the emulators it reaches must
 * be ISR-safe (spi-regs-emul takes a spinlock).
 */

#define DT_DRV_COMPAT atomvm_spi_emul_async_controller

#include <errno.h>

#include <zephyr/device.h>
#include <zephyr/drivers/emul.h>
#include <zephyr/drivers/spi.h>
#include <zephyr/drivers/spi_emul.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/iterable_sections.h>
#include <zephyr/sys/util.h>

#include <atomvm_ports/spi_async_emul.h>

struct spi_async_emul_cfg {
	/* The children's devices, whose emulators init looks up. */
	const struct device *const *children;
	struct spi_emul **emuls;
	size_t n_children;
	uint32_t delay_us;
};

struct spi_async_emul_data {
	/* One user at a time, as spi_context's lock; `owner` keeps it across SPI_LOCK_ON. */
	struct k_sem lock;
	const struct spi_config *owner;
	/* spi_context_configured(): the config last applied, by address. */
	const struct spi_config *applied_at;
	struct spi_config applied;
	/* The asynchronous transfer in progress. */
	struct k_timer timer;
	const struct device *dev;
	const struct spi_config *config;
	const struct spi_buf_set *tx;
	const struct spi_buf_set *rx;
	spi_callback_t cb;
	void *userdata;
	/* Counters, delay and `busy`. */
	struct k_spinlock slock;
	bool busy;
	uint32_t delay_us;
	struct spi_async_emul_counters counters;
};

static void count(struct spi_async_emul_data *data, uint32_t *counter)
{
	k_spinlock_key_t key = k_spin_lock(&data->slock);

	(*counter)++;
	k_spin_unlock(&data->slock, key);
}

/* Takes the controller for `config` (from a thread: waits; from an ISR: -EBUSY if taken). */
static int lock(struct spi_async_emul_data *data, const struct spi_config *config)
{
	if ((config->operation & SPI_LOCK_ON) && k_sem_count_get(&data->lock) == 0 &&
	    data->owner == config) {
		return 0;
	}
	if (k_sem_take(&data->lock, k_is_in_isr() ? K_NO_WAIT : K_FOREVER) != 0) {
		return -EBUSY;
	}
	data->owner = config;
	return 0;
}

/* After a transfer: the controller is free again unless its owner keeps it (SPI_LOCK_ON). */
static void unlock(struct spi_async_emul_data *data, bool keep)
{
	if (!keep) {
		data->owner = NULL;
		k_sem_give(&data->lock);
	}
}

/* The configuration the device sees: the one last applied if `config` sits at its address. */
static const struct spi_config *effective(struct spi_async_emul_data *data,
					  const struct spi_config *config)
{
	const uint32_t live = SPI_HOLD_ON_CS | SPI_LOCK_ON;

	if (config != data->applied_at) {
		data->applied = *config;
		data->applied_at = config;
	}
	data->applied.operation = (data->applied.operation & ~live) | (config->operation & live);
	return &data->applied;
}

/* One transfer to the child emulator at the configuration's slave (the caller holds the lock). */
static int io(const struct device *dev, const struct spi_config *config,
	      const struct spi_buf_set *tx, const struct spi_buf_set *rx)
{
	const struct spi_async_emul_cfg *cfg = dev->config;
	struct spi_async_emul_data *data = dev->data;
	const struct spi_config *eff = effective(data, config);
	int ret = -EIO;

	for (size_t i = 0; i < cfg->n_children; i++) {
		struct spi_emul *e = cfg->emuls[i];

		if (e != NULL && e->chipsel == eff->slave) {
			ret = e->api->io(e->target, eff, tx, rx);
			break;
		}
	}
	if (ret < 0) {
		count(data, &data->counters.failed);
	}
	return ret;
}

static int spi_async_emul_transceive(const struct device *dev, const struct spi_config *config,
				     const struct spi_buf_set *tx, const struct spi_buf_set *rx)
{
	struct spi_async_emul_data *data = dev->data;
	int ret = lock(data, config);

	if (ret < 0) {
		return ret;
	}
	count(data, &data->counters.sync_calls);
	ret = io(dev, config, tx, rx);
	unlock(data, (config->operation & SPI_LOCK_ON) != 0);
	return ret;
}

#ifdef CONFIG_SPI_ASYNC
/* The k_timer's expiry: the system clock interrupt on real targets. */
static void expired(struct k_timer *timer)
{
	struct spi_async_emul_data *data = CONTAINER_OF(timer, struct spi_async_emul_data, timer);
	const struct device *dev = data->dev;
	const struct spi_config *config = data->config;
	spi_callback_t cb = data->cb;
	void *userdata = data->userdata;
	/* Read before the callback: the caller may reuse the config once called back. */
	bool keep = (config->operation & SPI_LOCK_ON) != 0;
	int ret = io(dev, config, data->tx, data->rx);
	k_spinlock_key_t key = k_spin_lock(&data->slock);

	data->busy = false;
	data->counters.callbacks++;
	if (k_is_in_isr()) {
		data->counters.callbacks_in_isr++;
	}
	k_spin_unlock(&data->slock, key);
	if (cb != NULL) {
		cb(dev, ret, userdata);
	}
	unlock(data, keep);
}

static int spi_async_emul_transceive_async(const struct device *dev,
					   const struct spi_config *config,
					   const struct spi_buf_set *tx,
					   const struct spi_buf_set *rx, spi_callback_t cb,
					   void *userdata)
{
	struct spi_async_emul_data *data = dev->data;
	int ret = lock(data, config);
	k_spinlock_key_t key;
	uint32_t delay_us;

	if (ret < 0) {
		return ret;
	}
	data->dev = dev;
	data->config = config;
	data->tx = tx;
	data->rx = rx;
	data->cb = cb;
	data->userdata = userdata;
	key = k_spin_lock(&data->slock);
	data->busy = true;
	data->counters.async_calls++;
	delay_us = data->delay_us;
	k_spin_unlock(&data->slock, key);
	k_timer_start(&data->timer, K_USEC(delay_us), K_NO_WAIT);
	return 0;
}
#endif /* CONFIG_SPI_ASYNC */

static int spi_async_emul_release(const struct device *dev, const struct spi_config *config)
{
	struct spi_async_emul_data *data = dev->data;

	ARG_UNUSED(config);
	count(data, &data->counters.releases);
	/* As spi_context_unlock_unconditionally(). */
	if (k_sem_count_get(&data->lock) == 0) {
		data->owner = NULL;
		k_sem_give(&data->lock);
	}
	return 0;
}

static DEVICE_API(spi, spi_async_emul_api) = {
	.transceive = spi_async_emul_transceive,
#ifdef CONFIG_SPI_ASYNC
	.transceive_async = spi_async_emul_transceive_async,
#endif
	.release = spi_async_emul_release,
};

static int spi_async_emul_init(const struct device *dev)
{
	const struct spi_async_emul_cfg *cfg = dev->config;
	struct spi_async_emul_data *data = dev->data;

	k_sem_init(&data->lock, 1, 1);
#ifdef CONFIG_SPI_ASYNC
	k_timer_init(&data->timer, expired, NULL);
#endif
	data->delay_us = cfg->delay_us;
	for (size_t i = 0; i < cfg->n_children; i++) {
		cfg->emuls[i] = NULL;
		STRUCT_SECTION_FOREACH(emul, e) {
			if (e->dev != cfg->children[i] || e->bus_type != EMUL_BUS_TYPE_SPI) {
				continue;
			}
			e->bus.spi->target = e;
			if (e->init(e, dev) == 0) {
				cfg->emuls[i] = e->bus.spi;
			}
			break;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------------ test API */

static bool is_ours(const struct device *dev)
{
	return dev != NULL && dev->api == &spi_async_emul_api;
}

int spi_async_emul_set_delay_us(const struct device *dev, uint32_t us)
{
	if (!is_ours(dev)) {
		return -EINVAL;
	}
	struct spi_async_emul_data *data = dev->data;
	k_spinlock_key_t key = k_spin_lock(&data->slock);

	data->delay_us = us;
	k_spin_unlock(&data->slock, key);
	return 0;
}

int64_t spi_async_emul_delay_us(const struct device *dev)
{
	if (!is_ours(dev)) {
		return -EINVAL;
	}
	struct spi_async_emul_data *data = dev->data;
	k_spinlock_key_t key = k_spin_lock(&data->slock);
	int64_t us = data->delay_us;

	k_spin_unlock(&data->slock, key);
	return us;
}

int spi_async_emul_counters(const struct device *dev, struct spi_async_emul_counters *out)
{
	if (!is_ours(dev) || out == NULL) {
		return -EINVAL;
	}
	struct spi_async_emul_data *data = dev->data;
	k_spinlock_key_t key = k_spin_lock(&data->slock);

	*out = data->counters;
	k_spin_unlock(&data->slock, key);
	return 0;
}

int spi_async_emul_reset_counters(const struct device *dev)
{
	if (!is_ours(dev)) {
		return -EINVAL;
	}
	struct spi_async_emul_data *data = dev->data;
	k_spinlock_key_t key = k_spin_lock(&data->slock);

	data->counters = (struct spi_async_emul_counters){0};
	k_spin_unlock(&data->slock, key);
	return 0;
}

int spi_async_emul_busy(const struct device *dev)
{
	if (!is_ours(dev)) {
		return -EINVAL;
	}
	struct spi_async_emul_data *data = dev->data;
	k_spinlock_key_t key = k_spin_lock(&data->slock);
	int busy = data->busy;

	k_spin_unlock(&data->slock, key);
	return busy;
}

/* ------------------------------------------------------------------------------ instances */

#define SPI_ASYNC_EMUL_CHILD(node_id) DEVICE_DT_GET(node_id),

#define SPI_ASYNC_EMUL(n)                                                                          \
	static const struct device *const spi_async_emul_children_##n[] = {                        \
		DT_INST_FOREACH_CHILD_STATUS_OKAY(n, SPI_ASYNC_EMUL_CHILD)};                       \
	static struct spi_emul *spi_async_emul_emuls_##n[ARRAY_SIZE(                               \
		spi_async_emul_children_##n)];                                                     \
	static const struct spi_async_emul_cfg spi_async_emul_cfg_##n = {                          \
		.children = spi_async_emul_children_##n,                                           \
		.emuls = spi_async_emul_emuls_##n,                                                 \
		.n_children = ARRAY_SIZE(spi_async_emul_children_##n),                             \
		.delay_us = DT_INST_PROP(n, completion_delay_us),                                  \
	};                                                                                         \
	static struct spi_async_emul_data spi_async_emul_data_##n;                                 \
	SPI_DEVICE_DT_INST_DEFINE(n, spi_async_emul_init, NULL, &spi_async_emul_data_##n,          \
				  &spi_async_emul_cfg_##n, POST_KERNEL, CONFIG_SPI_INIT_PRIORITY,  \
				  &spi_async_emul_api);

DT_INST_FOREACH_STATUS_OKAY(SPI_ASYNC_EMUL)
