/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * Seed header for bindgen (build.rs). Everything the adapters call is reached from here; the
 * static inline functions (most of the I2C/SPI/GPIO API, syscalls included) get C wrappers that
 * bindgen writes next to the build (ATOMVM_PORTS_HAL_WRAPPER) and our CMake compiles into the
 * image.
 */

#include "../../include/atomvm_ports/bindgen_prologue.h"

#include <zephyr/kernel.h>
#include <zephyr/device.h>
#ifdef CONFIG_I2C
#include <zephyr/drivers/i2c.h>
#endif
#ifdef CONFIG_SPI
#include <zephyr/drivers/spi.h>
#include "../../include/atomvm_ports/hal.h"
#endif
#ifdef CONFIG_GPIO
#include <zephyr/drivers/gpio.h>
#endif
#ifdef CONFIG_DISPLAY
#include <zephyr/drivers/display.h>
#endif
#ifdef CONFIG_LED
#include <zephyr/drivers/led.h>
#endif
#ifdef CONFIG_I2S
#include <zephyr/drivers/i2s.h>
#endif
#ifdef CONFIG_AUDIO_CODEC
#include <zephyr/audio/codec.h>
#endif

/*
 * errno values as the image's C code sees them. They depend on the C library (Zephyr's minimal
 * libc, picolibc, or the host's on native_sim with CONFIG_EXTERNAL_LIBC, where e.g. ETIMEDOUT is
 * 110, not 116), so they are read at run time from this table, compiled into the image with the
 * wrappers, rather than taken from bindgen's view of the headers.
 */
#include <errno.h>

enum atomvm_hal_errno_index {
	ATOMVM_HAL_ERRNO_EIO,
	ATOMVM_HAL_ERRNO_ENXIO,
	ATOMVM_HAL_ERRNO_EAGAIN,
	ATOMVM_HAL_ERRNO_EALREADY,
	ATOMVM_HAL_ERRNO_EBUSY,
	ATOMVM_HAL_ERRNO_ETIMEDOUT,
	ATOMVM_HAL_ERRNO_EOVERFLOW,
	ATOMVM_HAL_ERRNO_EINVAL,
	ATOMVM_HAL_ERRNO_ENODEV,
	ATOMVM_HAL_ERRNO_ENOTSUP,
	ATOMVM_HAL_ERRNO_ENOSYS,
	ATOMVM_HAL_ERRNO_ENOMEM,
	ATOMVM_HAL_ERRNO_ECANCELED,
	ATOMVM_HAL_ERRNO_COUNT
};

extern const int atomvm_hal_errnos[ATOMVM_HAL_ERRNO_COUNT];

#ifndef RUST_BINDGEN
/* Only the generated wrapper file includes this header: one definition. */
const int atomvm_hal_errnos[ATOMVM_HAL_ERRNO_COUNT] = {
	[ATOMVM_HAL_ERRNO_EIO] = EIO,
	[ATOMVM_HAL_ERRNO_ENXIO] = ENXIO,
	[ATOMVM_HAL_ERRNO_EAGAIN] = EAGAIN,
	[ATOMVM_HAL_ERRNO_EALREADY] = EALREADY,
	[ATOMVM_HAL_ERRNO_EBUSY] = EBUSY,
	[ATOMVM_HAL_ERRNO_ETIMEDOUT] = ETIMEDOUT,
	[ATOMVM_HAL_ERRNO_EOVERFLOW] = EOVERFLOW,
	[ATOMVM_HAL_ERRNO_EINVAL] = EINVAL,
	[ATOMVM_HAL_ERRNO_ENODEV] = ENODEV,
	[ATOMVM_HAL_ERRNO_ENOTSUP] = ENOTSUP,
	[ATOMVM_HAL_ERRNO_ENOSYS] = ENOSYS,
	[ATOMVM_HAL_ERRNO_ENOMEM] = ENOMEM,
	[ATOMVM_HAL_ERRNO_ECANCELED] = ECANCELED,
};
#endif

/*
 * Flag macros built with BIT() or casts are not plain numbers, so bindgen does not export them.
 * An enum makes clang evaluate them; bindgen emits the values as constants.
 */
enum atomvm_hal_consts {
#ifdef CONFIG_I2C
	ATOMVM_HAL_I2C_MSG_WRITE = I2C_MSG_WRITE,
	ATOMVM_HAL_I2C_MSG_READ = I2C_MSG_READ,
	ATOMVM_HAL_I2C_MSG_STOP = I2C_MSG_STOP,
	ATOMVM_HAL_I2C_MSG_RESTART = I2C_MSG_RESTART,
	ATOMVM_HAL_I2C_MSG_ADDR_10_BITS = I2C_MSG_ADDR_10_BITS,
#endif
#ifdef CONFIG_SPI
	ATOMVM_HAL_SPI_HOLD_ON_CS = SPI_HOLD_ON_CS,
	ATOMVM_HAL_SPI_LOCK_ON = SPI_LOCK_ON,
	ATOMVM_HAL_SPI_MODE_CPOL = SPI_MODE_CPOL,
	ATOMVM_HAL_SPI_MODE_CPHA = SPI_MODE_CPHA,
	ATOMVM_HAL_SPI_TRANSFER_LSB = SPI_TRANSFER_LSB,
	ATOMVM_HAL_SPI_CS_ACTIVE_HIGH = SPI_CS_ACTIVE_HIGH,
	ATOMVM_HAL_SPI_WORD_SIZE_SHIFT = SPI_WORD_SIZE_SHIFT,
	ATOMVM_HAL_SPI_WORD_SIZE_MASK = SPI_WORD_SIZE_MASK,
#endif
#ifdef CONFIG_GPIO
	ATOMVM_HAL_GPIO_INPUT = GPIO_INPUT,
	ATOMVM_HAL_GPIO_OUTPUT_ACTIVE = GPIO_OUTPUT_ACTIVE,
	ATOMVM_HAL_GPIO_OUTPUT_INACTIVE = GPIO_OUTPUT_INACTIVE,
	ATOMVM_HAL_GPIO_INT_DISABLE = GPIO_INT_DISABLE,
	ATOMVM_HAL_GPIO_INT_EDGE_BOTH = GPIO_INT_EDGE_BOTH,
	ATOMVM_HAL_GPIO_INT_EDGE_TO_ACTIVE = GPIO_INT_EDGE_TO_ACTIVE,
	ATOMVM_HAL_GPIO_INT_EDGE_TO_INACTIVE = GPIO_INT_EDGE_TO_INACTIVE,
#endif
#ifdef CONFIG_I2S
	ATOMVM_HAL_I2S_FMT_DATA_FORMAT_I2S = I2S_FMT_DATA_FORMAT_I2S,
	/* Bit and frame clocks driven by the controller (the usual playback setup). */
	ATOMVM_HAL_I2S_OPT_CLK_MASTER = I2S_OPT_BIT_CLK_MASTER | I2S_OPT_FRAME_CLK_MASTER,
#endif
	ATOMVM_HAL_CONSTS_END = 0
};
