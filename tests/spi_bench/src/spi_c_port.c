/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * "spi_c": the benchmark's C twin of the spi port, written the way AtomVM's own ESP32 SPI
 * driver is (a native-handler port: each gen_call's request terms decoded in C, the transfer
 * done synchronously on the VM thread, the reply built on the port's heap), on Zephyr's
 * spi_transceive(). Only what the benchmark uses: open with AtomVM's device_config (every
 * key required, as ESP32 does; whole-byte command and address widths), write/3 and
 * write_read/3 with AtomVM's transaction maps (whole bytes; read_bits defaults to the
 * binary's bits, as ESP32), close. The bus is the chosen atomvm,spi (bus_config is not
 * read). spi:write/3 and spi:write_read/3 work on it unchanged: they are port:call()s.
 *
 * Replies: ok | {ok, Binary} | {error, device_not_found | badarg | unknown_command |
 * Errno} (Errno the positive errno of spi_transceive); badarg also for more than
 * CONFIG_ATOMVM_PORT_SPI_MAX_TRANSFER bytes on the wire.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <zephyr/device.h>
#include <zephyr/drivers/spi.h>
#include <zephyr/sys/util.h>

#include <atomvm_zephyr/port_driver.h>

#define C_SPI_MAX_DEVICES 4
/* Command (at most 16 bits) and address (at most 32 bits) bytes before the data. */
#define C_SPI_MAX_PREFIX  6
/* The most bytes one transfer clocks (the spi port's CONFIG_ATOMVM_PORT_SPI_MAX_TRANSFER). */
#define C_SPI_MAX_WIRE    CONFIG_ATOMVM_PORT_SPI_MAX_TRANSFER

struct c_spi_device {
	term name; /* an atom: atoms live as long as the VM */
	struct spi_config cfg;
	uint8_t command_bytes;
	uint8_t address_bytes;
};

struct c_spi_data {
	const struct device *bus;
	size_t count;
	struct c_spi_device devices[C_SPI_MAX_DEVICES];
};

enum c_spi_cmd {
	CSpiInvalidCmd = 0,
	CSpiWriteCmd,
	CSpiWriteReadCmd,
	CSpiCloseCmd,
};

static const AtomStringIntPair c_spi_cmd_table[] = {
	{ATOM_STR("\x5", "write"), CSpiWriteCmd},
	{ATOM_STR("\xA", "write_read"), CSpiWriteReadCmd},
	{ATOM_STR("\x5", "close"), CSpiCloseCmd},
	SELECT_INT_DEFAULT(CSpiInvalidCmd),
};

/* An integer option of `kv` in [min, max], or -1 when it is missing or out of range. */
static int64_t int_opt(term kv, AtomString key, int64_t min, int64_t max, GlobalContext *glb)
{
	term t = interop_kv_get_value(kv, key, glb);

	if (!term_is_any_integer(t)) {
		return -1;
	}
	int64_t v = term_maybe_unbox_int64(t);

	return v < min || v > max ? -1 : v;
}

static bool add_device(struct c_spi_data *data, term entry, GlobalContext *glb)
{
	if (data->count == C_SPI_MAX_DEVICES || !term_is_tuple(entry) ||
	    term_get_tuple_arity(entry) != 2 || !term_is_atom(term_get_tuple_element(entry, 0))) {
		return false;
	}
	term cfg = term_get_tuple_element(entry, 1);
	int64_t hz = int_opt(cfg, ATOM_STR("\xE", "clock_speed_hz"), 1, UINT32_MAX, glb);
	int64_t mode = int_opt(cfg, ATOM_STR("\x4", "mode"), 0, 3, glb);
	int64_t cs = int_opt(cfg, ATOM_STR("\x2", "cs"), 0, UINT16_MAX, glb);
	int64_t abits = int_opt(cfg, ATOM_STR("\x10", "address_len_bits"), 0, 32, glb);
	int64_t cbits = int_opt(cfg, ATOM_STR("\x10", "command_len_bits"), 0, 16, glb);

	if (hz < 0 || mode < 0 || cs < 0 || abits < 0 || abits % 8 != 0 || cbits < 0 ||
	    cbits % 8 != 0) {
		return false;
	}
	struct c_spi_device *d = &data->devices[data->count++];

	d->name = term_get_tuple_element(entry, 0);
	d->cfg.frequency = (uint32_t)hz;
	d->cfg.operation = SPI_OP_MODE_MASTER | SPI_WORD_SET(8) | SPI_TRANSFER_MSB |
			   ((mode & 2) ? SPI_MODE_CPOL : 0) | ((mode & 1) ? SPI_MODE_CPHA : 0);
	d->cfg.slave = (uint16_t)cs;
	d->address_bytes = (uint8_t)(abits / 8);
	d->command_bytes = (uint8_t)(cbits / 8);
	return true;
}

static struct c_spi_device *find_device(struct c_spi_data *data, term name)
{
	for (size_t i = 0; i < data->count; i++) {
		if (data->devices[i].name == name) {
			return &data->devices[i];
		}
	}
	return NULL;
}

static term make_atom(GlobalContext *glb, AtomString name)
{
	return globalcontext_make_atom(glb, name);
}

/* {error, Reason} for an atom or small integer reason (TUPLE_SIZE(2) reserved by the caller). */
static term error_tuple(Context *ctx, term reason)
{
	return port_create_error_tuple(ctx, reason);
}

/*
 * write ({write, Dev, Txn}) or write_read ({write_read, Dev, Txn}) as AtomVM's ESP32 driver
 * does them: the transaction's fields from the map, then one spi_transceive() with the
 * command and address bytes, the data from the request's binary, and (write_read) the
 * answer straight into the reply's binary. Leaves TUPLE_SIZE(2) free for the reply.
 */
static term transfer(Context *ctx, struct c_spi_data *data, term req, bool read)
{
	GlobalContext *glb = ctx->global;
	term zero = term_from_int(0);

	if (memory_ensure_free(ctx, 2 * TUPLE_SIZE(2)) != MEMORY_GC_OK) {
		return OUT_OF_MEMORY_ATOM;
	}
	if (!term_is_tuple(req) || term_get_tuple_arity(req) != 3) {
		return error_tuple(ctx, BADARG_ATOM);
	}
	struct c_spi_device *dev = find_device(data, term_get_tuple_element(req, 1));

	if (dev == NULL) {
		return error_tuple(ctx, make_atom(glb, ATOM_STR("\x10", "device_not_found")));
	}
	term txn = term_get_tuple_element(req, 2);

	if (!term_is_map(txn)) {
		return error_tuple(ctx, BADARG_ATOM);
	}
	term command = term_get_map_assoc_default(
		txn, make_atom(glb, ATOM_STR("\x7", "command")), zero, glb);
	term address = term_get_map_assoc_default(
		txn, make_atom(glb, ATOM_STR("\x7", "address")), zero, glb);
	term write_data = term_get_map_assoc_default(
		txn, make_atom(glb, ATOM_STR("\xA", "write_data")), UNDEFINED_ATOM, glb);

	if (!term_is_integer(command) || term_to_int(command) < 0 ||
	    term_to_int(command) > UINT16_MAX || !term_is_any_integer(address) ||
	    (write_data != UNDEFINED_ATOM && !term_is_binary(write_data))) {
		return error_tuple(ctx, BADARG_ATOM);
	}
	size_t binary_bits = write_data == UNDEFINED_ATOM ? 0 : term_binary_size(write_data) * 8;
	term binary_bits_term = term_from_int((avm_int_t)binary_bits);
	term write_bits = term_get_map_assoc_default(
		txn, make_atom(glb, ATOM_STR("\xA", "write_bits")), binary_bits_term, glb);
	term read_bits = term_get_map_assoc_default(
		txn, make_atom(glb, ATOM_STR("\x9", "read_bits")), binary_bits_term, glb);

	if (!term_is_integer(write_bits) || term_to_int(write_bits) < 0 ||
	    (size_t)term_to_int(write_bits) > binary_bits || term_to_int(write_bits) % 8 != 0 ||
	    !term_is_integer(read_bits) || term_to_int(read_bits) < 0 ||
	    term_to_int(read_bits) % 8 != 0) {
		return error_tuple(ctx, BADARG_ATOM);
	}
	size_t write_bytes = (size_t)term_to_int(write_bits) / 8;
	size_t read_bytes = read ? (size_t)term_to_int(read_bits) / 8 : 0;
	size_t np = (size_t)dev->command_bytes + dev->address_bytes;

	if (np + MAX(write_bytes, read_bytes) > C_SPI_MAX_WIRE) {
		return error_tuple(ctx, BADARG_ATOM);
	}

	/* Command then address, big-endian, their low command/address bits. */
	uint8_t prefix[C_SPI_MAX_PREFIX];
	uint32_t cmd = (uint32_t)term_to_int(command);
	uint64_t addr = (uint64_t)term_maybe_unbox_int64(address);

	size_t k = 0;

	for (int i = dev->command_bytes - 1; i >= 0; i--) {
		prefix[k++] = (uint8_t)(cmd >> (8 * i));
	}
	for (int i = dev->address_bytes - 1; i >= 0; i--) {
		prefix[k++] = (uint8_t)(addr >> (8 * i));
	}

	term bin = term_invalid_term();

	if (read) {
		if (memory_ensure_free(ctx, term_binary_heap_size(read_bytes) + 2 * TUPLE_SIZE(2)) !=
		    MEMORY_GC_OK) {
			return OUT_OF_MEMORY_ATOM;
		}
		bin = term_create_empty_binary(read_bytes, &ctx->heap, glb);
	}
	struct spi_buf txb[2];
	struct spi_buf rxb[2];
	struct spi_buf_set txs = {.buffers = txb, .count = 0};
	struct spi_buf_set rxs = {.buffers = rxb, .count = 0};

	if (np > 0) {
		txb[txs.count++] = (struct spi_buf){.buf = prefix, .len = np};
		/* The bytes that come in during the command and address are not the answer. */
		rxb[rxs.count++] = (struct spi_buf){.buf = NULL, .len = np};
	}
	if (write_bytes > 0) {
		/* The request's binary lives in the message until it is removed, after the reply. */
		txb[txs.count++] =
			(struct spi_buf){.buf = (void *)term_binary_data(write_data), .len = write_bytes};
	}
	if (read_bytes > 0) {
		rxb[rxs.count++] =
			(struct spi_buf){.buf = (void *)term_binary_data(bin), .len = read_bytes};
	}
	int ret = spi_transceive(data->bus, &dev->cfg, &txs, read ? &rxs : NULL);

	if (ret < 0) {
		return error_tuple(ctx, term_from_int(-ret));
	}
	return read ? port_create_ok_tuple(ctx, bin) : OK_ATOM;
}

static NativeHandlerResult c_spi_consume_mailbox(Context *ctx)
{
	struct c_spi_data *data = ctx->platform_data;
	Message *message = mailbox_first(&ctx->mailbox);
	GenMessage gen;

	if (port_parse_gen_message(message->message, &gen) != GenCallMessage) {
		mailbox_remove_message(&ctx->mailbox, &ctx->heap);
		return NativeContinue;
	}
	term cmd_term = term_is_tuple(gen.req) && term_get_tuple_arity(gen.req) > 0
				? term_get_tuple_element(gen.req, 0)
				: gen.req;
	enum c_spi_cmd cmd = term_is_atom(cmd_term)
				     ? interop_atom_term_select_int(c_spi_cmd_table, cmd_term,
								    ctx->global)
				     : CSpiInvalidCmd;
	term ret;

	switch (cmd) {
	case CSpiWriteCmd:
	case CSpiWriteReadCmd:
		ret = transfer(ctx, data, gen.req, cmd == CSpiWriteReadCmd);
		break;
	case CSpiCloseCmd:
		/* context_destroy frees platform_data when the handler returns NativeTerminate. */
		ret = OK_ATOM;
		break;
	default:
		if (memory_ensure_free(ctx, 2 * TUPLE_SIZE(2)) != MEMORY_GC_OK) {
			ret = OUT_OF_MEMORY_ATOM;
		} else {
			ret = error_tuple(ctx, make_atom(ctx->global,
							 ATOM_STR("\xF", "unknown_command")));
		}
		break;
	}
	if (memory_ensure_free_with_roots(ctx, TUPLE_SIZE(2), 1, &ret, MEMORY_CAN_SHRINK) ==
	    MEMORY_GC_OK) {
		port_send_reply(ctx, gen.pid, gen.ref, ret);
	} else {
		/* As ESP32's driver: port:call/2 returns out_of_memory. */
		port_send_message(ctx->global, gen.pid, OUT_OF_MEMORY_ATOM);
	}
	mailbox_remove_message(&ctx->mailbox, &ctx->heap);
	return cmd == CSpiCloseCmd ? NativeTerminate : NativeContinue;
}

static Context *c_spi_create_port(GlobalContext *glb, term opts)
{
	const struct device *bus = DEVICE_DT_GET(DT_CHOSEN(atomvm_spi));
	term devices = interop_kv_get_value(opts, ATOM_STR("\xD", "device_config"), glb);

	if (!device_is_ready(bus) || !term_is_list(devices)) {
		return NULL;
	}
	struct c_spi_data *data = calloc(1, sizeof(*data));

	if (data == NULL) {
		return NULL;
	}
	data->bus = bus;
	while (term_is_nonempty_list(devices)) {
		if (!add_device(data, term_get_list_head(devices), glb)) {
			free(data);
			return NULL;
		}
		devices = term_get_list_tail(devices);
	}
	Context *ctx = context_new(glb);

	if (ctx == NULL) {
		free(data);
		return NULL;
	}
	ctx->native_handler = c_spi_consume_mailbox;
	ctx->platform_data = data;
	return ctx;
}

ATOMVM_PORT_DRIVER_DEFINE(spi_c, "spi_c", NULL, NULL, c_spi_create_port);
