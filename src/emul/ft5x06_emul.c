/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Emulated FocalTech FT5x06 touch controller (compatible "atomvm,ft5x06-emul") on Zephyr's I2C
 * emulator controller, for tests and samples without hardware (CONFIG_ATOMVM_FT5X06_EMUL).
 *
 * A node whose compatibles are "focaltech,ft5336", "atomvm,ft5x06-emul" is emulated too: Zephyr's
 * own ft5336 input driver then reads the emulated chip (the touch port's input bridge path).
 *
 * A 256-byte register file laid out as the FT5x06 map:
 *   0x00 DEVICE_MODE, 0x01 GEST_ID, 0x02 TD_STATUS (number of points),
 *   0x03 + 6i: P_XH (event bits 7:6, X[11:8]), P_XL, P_YH (touch ID bits 7:4, Y[11:8]), P_YL,
 *              P_WEIGHT, P_MISC,
 *   0xA1/0xA2 ID_G_LIB_VERSION_H/L, 0xA3 ID_G_CIPHER (0x55: FT5x06), 0xA4 ID_G_MODE,
 *   0xA6 ID_G_FIRMID, 0xA8 ID_G_FT5201ID (vendor).
 * The first byte written after START/RESTART sets the register pointer; further written bytes
 * are stored from it, reads return bytes from it, both auto-incrementing (wrapping at 0xFF).
 *
 * The INT line is the node's int-gpios on a zephyr,gpio-emul controller, active low:
 * ft5x06_emul_raise_int(target) drives it active then inactive with gpio_emul_input_set(), so the
 * edge interrupt a driver configured on it fires (from the caller's context).
 */

#define DT_DRV_COMPAT atomvm_ft5x06_emul

#include <string.h>

#include <zephyr/device.h>
#include <zephyr/drivers/emul.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/gpio/gpio_emul.h>
#include <zephyr/drivers/i2c.h>
#include <zephyr/drivers/i2c_emul.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/util.h>

#include <atomvm_ports/ft5x06_emul.h>

#define REG_TD_STATUS 0x02
#define REG_P1_XH     0x03
#define POINT_LEN     6
#define REG_LIB_VER_H 0xA1
#define REG_LIB_VER_L 0xA2
#define REG_CIPHER    0xA3
#define REG_MODE      0xA4
#define REG_FIRMID    0xA6
#define REG_VENDOR    0xA8

#define CHIP_FT5X06 0x55

struct ft5x06_emul_cfg {
	struct gpio_dt_spec int_gpio;
};

struct ft5x06_emul_data {
	uint8_t regs[256];
	uint8_t ptr;
	uint32_t frame_reads;
	struct k_spinlock lock;
};

static int ft5x06_emul_transfer(const struct emul *target, struct i2c_msg *msgs, int num_msgs,
				int addr)
{
	struct ft5x06_emul_data *data = target->data;

	ARG_UNUSED(addr);

	K_SPINLOCK(&data->lock) {
		for (int i = 0; i < num_msgs; i++) {
			const struct i2c_msg *m = &msgs[i];
			bool started = i == 0 || (m->flags & I2C_MSG_RESTART);
			uint32_t k = 0;

			if (m->flags & I2C_MSG_READ) {
				if (data->ptr == 0x00 && m->len > 0) {
					data->frame_reads++;
				}
				for (; k < m->len; k++) {
					m->buf[k] = data->regs[data->ptr++];
				}
				continue;
			}
			if (started && m->len > 0) {
				data->ptr = m->buf[0];
				k = 1;
			}
			for (; k < m->len; k++) {
				data->regs[data->ptr++] = m->buf[k];
			}
		}
	}
	return 0;
}

static const struct i2c_emul_api ft5x06_emul_api = {
	.transfer = ft5x06_emul_transfer,
};

static void reset_regs(struct ft5x06_emul_data *data)
{
	memset(data->regs, 0, sizeof(data->regs));
	/* No touch: every point slot reads 0xFF (touch ID 0xF). */
	memset(&data->regs[REG_P1_XH], 0xFF, POINT_LEN * FT5X06_EMUL_MAX_POINTS);
	data->regs[REG_LIB_VER_H] = 0x30;
	data->regs[REG_LIB_VER_L] = 0x03;
	data->regs[REG_CIPHER] = CHIP_FT5X06;
	data->regs[REG_MODE] = 0x00; /* polling until a driver sets trigger mode */
	data->regs[REG_FIRMID] = 0x12;
	data->regs[REG_VENDOR] = 0x11;
	data->ptr = 0;
	data->frame_reads = 0;
}

static int ft5x06_emul_init(const struct emul *target, const struct device *parent)
{
	const struct ft5x06_emul_cfg *cfg = target->cfg;
	struct ft5x06_emul_data *data = target->data;

	ARG_UNUSED(parent);
	reset_regs(data);
	if (!gpio_is_ready_dt(&cfg->int_gpio)) {
		return -ENODEV;
	}
	/*
	 * gpio-emul only takes input values for pins configured as inputs: configure the line as
	 * one (the host's driver does the same) and let it idle inactive (high when active low).
	 */
	int ret = gpio_pin_configure_dt(&cfg->int_gpio, GPIO_INPUT);

	if (ret < 0) {
		return ret;
	}
	return gpio_emul_input_set(cfg->int_gpio.port, cfg->int_gpio.pin,
				   (cfg->int_gpio.dt_flags & GPIO_ACTIVE_LOW) ? 1 : 0);
}

int ft5x06_emul_set_points(const struct emul *target, const struct ft5x06_emul_point *pts,
			   size_t n)
{
	struct ft5x06_emul_data *data = target->data;

	K_SPINLOCK(&data->lock) {
		data->regs[REG_TD_STATUS] = (uint8_t)n;
		memset(&data->regs[REG_P1_XH], 0xFF, POINT_LEN * FT5X06_EMUL_MAX_POINTS);
		for (size_t i = 0; i < MIN(n, (size_t)FT5X06_EMUL_MAX_POINTS); i++) {
			uint8_t *p = &data->regs[REG_P1_XH + POINT_LEN * i];

			p[0] = (uint8_t)(((pts[i].event & 0x3) << 6) | ((pts[i].x >> 8) & 0x0F));
			p[1] = (uint8_t)(pts[i].x & 0xFF);
			p[2] = (uint8_t)(((pts[i].id & 0xF) << 4) | ((pts[i].y >> 8) & 0x0F));
			p[3] = (uint8_t)(pts[i].y & 0xFF);
			p[4] = pts[i].weight;
			p[5] = 0x00;
		}
	}
	return 0;
}

uint8_t ft5x06_emul_reg(const struct emul *target, uint8_t reg)
{
	struct ft5x06_emul_data *data = target->data;

	return data->regs[reg];
}

void ft5x06_emul_set_reg(const struct emul *target, uint8_t reg, uint8_t value)
{
	struct ft5x06_emul_data *data = target->data;

	data->regs[reg] = value;
}

uint32_t ft5x06_emul_frame_reads(const struct emul *target)
{
	struct ft5x06_emul_data *data = target->data;

	return data->frame_reads;
}

void ft5x06_emul_reset_counters(const struct emul *target)
{
	struct ft5x06_emul_data *data = target->data;

	data->frame_reads = 0;
}

#define FT5X06_EMUL(n)                                                                             \
	static struct ft5x06_emul_data ft5x06_emul_data_##n;                                      \
	static const struct ft5x06_emul_cfg ft5x06_emul_cfg_##n = {                                \
		.int_gpio = GPIO_DT_SPEC_INST_GET(n, int_gpios),                                   \
	};                                                                                         \
	/* A node Zephyr's ft5336 driver also binds gets its device from that driver. */          \
	COND_CODE_1(DT_NODE_HAS_COMPAT(DT_DRV_INST(n), focaltech_ft5336), (),                      \
		    (DEVICE_DT_INST_DEFINE(n, NULL, NULL, NULL, NULL, POST_KERNEL,                 \
					   CONFIG_I2C_INIT_PRIORITY, NULL);))                      \
	EMUL_DT_INST_DEFINE(n, ft5x06_emul_init, &ft5x06_emul_data_##n, &ft5x06_emul_cfg_##n,      \
			    &ft5x06_emul_api, NULL)

DT_INST_FOREACH_STATUS_OKAY(FT5X06_EMUL)

int ft5x06_emul_raise_int(const struct emul *target)
{
	const struct ft5x06_emul_cfg *cfg = target->cfg;
	int active = (cfg->int_gpio.dt_flags & GPIO_ACTIVE_LOW) ? 0 : 1;
	int ret = gpio_emul_input_set(cfg->int_gpio.port, cfg->int_gpio.pin, active);

	if (ret == 0) {
		ret = gpio_emul_input_set(cfg->int_gpio.port, cfg->int_gpio.pin, !active);
	}
	return ret;
}
