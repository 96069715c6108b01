/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The devicetree specs the Rust tests take with i2c_spec!/gpio_spec!.
 */

#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/i2c.h>
#include <atomvm_ports/hal.h>

ATOMVM_HAL_I2C_SPEC(ft_touch_i2c, DT_NODELABEL(ft_touch));
ATOMVM_HAL_GPIO_SPEC(ft_int_pin, DT_NODELABEL(ft_touch), int_gpios);
