%% SPDX-License-Identifier: Apache-2.0
%%
%% @doc The `spi' port (src/ports/spi): AtomVM's `spi' module on Zephyr's SPI API.
%%
%% Erlang SPI drivers written for AtomVM's `spi' (the `spi_hal' behaviour: {@link open/1},
%% {@link read_at/4}, {@link write_at/5}, {@link write/3}, {@link write_read/3},
%% {@link close/1}) run unchanged; the bus and the chip selects come from the devicetree.
%%
%% ```
%% SPI = spi:open([
%%     {bus_config, [{peripheral, "spi1"}]},
%%     {device_config, [
%%         {sensor, [{cs, 0}, {clock_speed_hz, 1000000}, {mode, 0}, {address_len_bits, 8}]}
%%     ]}
%% ]),
%% {ok, Id} = spi:read_at(SPI, sensor, 16#0F, 8),
%% {ok, <<X:16, Y:16>>} = spi:write_read(SPI, sensor, #{address => 16#28, read_bits => 32}),
%% ok = spi:close(SPI).
%% '''
%%
%% <h3>Bus and devices</h3>
%%
%% `{peripheral, "spi1"}' (a string, binary or atom) names the bus by devicetree node label
%% or, failing that, by device name; without it the bus is the chosen `atomvm,spi' node. The
%% pins (`sclk', `miso', `mosi') are the board's pinctrl: those keys are accepted and
%% ignored. One SPI handle can have a bus open at a time (`busy' for a second open).
%%
%% Each device is `{Name, Options}' (a list or a map) with:
%% <ul>
%% <li>`{cs, N}': the bus's chip select N: entry N of its `cs-gpios', or, on a bus without
%%     `cs-gpios', the controller's hardware chip select N. Without `cs' (and `device') no
%%     chip select is driven, as AtomVM's RP2 and STM32 do without one.</li>
%% <li>`{device, Label}': a devicetree child node of the bus (node label or name): its `reg'
%%     is the chip select and its `spi-max-frequency' the default clock; the other options
%%     override them.</li>
%% <li>`{clock_speed_hz, Hz}' (1..4294967295, default 1000000), `{mode, 0..3}' (default 0),
%%     `{address_len_bits, 0..64}' (default 8), `{command_len_bits, 0..16}' (default 0):
%%     AtomVM's keys and defaults.</li>
%% <li>`{bit_order, msb_first | lsb_first}' (default `msb_first') and
%%     `{word_size, 8 | 16 | 32}' (default 8): ours (see below).</li>
%% </ul>
%%
%% <h3>Transactions</h3>
%%
%% A transaction map has `command' (0..65535, default 0), `address' (default 0),
%% `write_data' (a binary, default empty), `write_bits' (default all the binary's bits) and,
%% for {@link write_read/3}, `read_bits' (default `write_bits'). On the wire, most significant
%% bit first: the low `command_len_bits' of the command, the low `address_len_bits' of the
%% address, the first `write_bits' of `write_data', then zeros while more is read. The result
%% is what came in after the command and address: `read_bits' bits in
%% `ceil(read_bits / 8)' bytes, the bits after them zero. {@link read_at/4} is
%% `write_read(#{address => A, read_bits => Len})' as an integer; {@link write_at/5} sends the
%% address with bit 7 set, then the low `Len' bits of `Data', and answers the `Len' bits read
%% meanwhile.
%%
%% Errors are `{error, Reason}': `{unknown_device, Name}', `{badarg, Key}' (a bad field:
%% `command', `address', `write_data', `write_bits', `read_bits', `len', `data'),
%% `too_large' (more than CONFIG_ATOMVM_PORT_SPI_MAX_TRANSFER bytes on the wire), and from the
%% driver `io', `timeout', `not_supported' (the controller cannot do the device's mode, word
%% size or clock), `{badarg, config}', `busy', `cancelled'. A synchronous call (or
%% `set_config') first waits for the bus's asynchronous transfers to finish: `timeout' if
%% they take over a second. On a bus without `cs-gpios' any `{cs, N}' up to
%% 65535 is accepted: whether the controller has line N shows at the first transfer.
%%
%% <h3>Configuration (ours)</h3>
%%
%% Each device's configuration is a resource the port keeps: {@link get_config/2} reads it,
%% {@link set_config/3} changes any of its keys, each value checked and all of them applied
%% together or none (`{error, {badarg, Key}}').
%%
%% <h3>Asynchronous transfers (ours)</h3>
%%
%% {@link write_read_async/3} returns `{ok, Ref}' at once; the caller later receives
%% `{spi_done, Ref, {ok, Binary} | {error, Reason}}', in the order the transfers were
%% submitted. `Ref' is a reference the port makes, as `make_ref()' does. At most
%% CONFIG_ATOMVM_PORT_SPI_ASYNC_DEPTH transfers are in flight per open bus; one more gets
%% `{error, busy}'. Closing the bus (or the owner's exit, or the VM's end)
%% waits for the transfers the driver holds and drops the undelivered results.
%%
%% <h3>Where we differ from AtomVM, and why</h3>
%%
%% <ul>
%% <li>Pins and chip selects come from the devicetree, as everything else on Zephyr:
%%     `sclk', `miso' and `mosi' are ignored and not required (AtomVM requires `sclk');
%%     `{cs, N}' is an index into the bus's chip selects, not a GPIO number.</li>
%% <li>Bad parameters make {@link open/1} raise `error(Reason)' with the port's reason
%%     (`{badarg, Key}', `no_device', `busy'...). AtomVM's ESP32 module throws
%%     `{badarg, _}' terms after its own checks, STM32 raises, RP2 returns an error tuple;
%%     one reason, checked once, in the port, serves all. A device key AtomVM does not know
%%     (or ESP32's deprecated `spi_clock_hz' and the like) is refused rather than ignored,
%%     and so is a key given twice.</li>
%% <li>Device defaults are RP2's and STM32's (ESP32 requires `clock_speed_hz', `mode' and
%%     `address_len_bits'). `address_len_bits' and `command_len_bits' need not be
%%     multiples of 8 (STM32 requires it).</li>
%% <li>An unknown device is `{error, {unknown_device, Name}}' (RP2, STM32; ESP32 says
%%     `device_not_found'); a bad transaction field is `{error, {badarg, Key}}' (ESP32 says
%%     `badarg'; RP2 and STM32 crash their server); driver errors are atoms, not ESP-IDF's
%%     integers.</li>
%% <li>`write_at/5' sets address bit 7 in the port, not in Erlang: a non-integer address is
%%     `{error, {badarg, address}}' where AtomVM raises `badarith'. As ESP32 and RP2 it is bit
%%     7 whatever `address_len_bits' is (STM32 sets the address field's top bit).</li>
%% <li>`read_at/4' and `write_at/5' take 0..64 bits (ESP32: at most 32) and, with
%%     `command_len_bits' > 0, send a zero command first, as ESP32 (RP2 and STM32 send
%%     none): `read_at' is exactly the `write_read' above.</li>
%% <li>`read_bits' defaults to `write_bits' (RP2, STM32; ESP32 defaults to the binary's
%%     size); reading more than was written clocks zeros (RP2, STM32; ESP-IDF refuses it in
%%     full duplex); `write_bits' beyond the binary is `{badarg, write_bits}' (ESP32; RP2
%%     truncates), and without `write_data' only 0 is accepted.</li>
%% <li>Zephyr transfers whole words: when the command, address and data bits do not end on
%%     a word boundary, zero bits fill the last word (the device sees extra clocks after the
%%     data), where ESP32 clocks the exact count.</li>
%% <li>Extensions: `bit_order' and `word_size' (16 and 32-bit words are sent as the
%%     stream's bytes big-endian, so the bits on the wire are the same as with 8-bit words
%%     when MSB first), {@link get_config/2}, {@link set_config/3},
%%     {@link write_read_async/3} and {@link get_counters/1}.</li>
%% <li>{@link open/1} links the port to the caller, as RP2 and STM32 link their server.</li>
%% </ul>
-module(spi).

-behaviour(spi_hal).

-export([open/1, close/1, read_at/4, write_at/5, write/3, write_read/3]).
-export([get_config/2, set_config/3, write_read_async/3, get_counters/1]).

-type peripheral() :: string() | binary() | atom().
-type bus_config() :: [
    {peripheral, peripheral()}
    | {sclk, term()}
    | {miso, term()}
    | {mosi, term()}
].
-type device_option() ::
    {cs, non_neg_integer()}
    | {device, string() | binary() | atom()}
    | {clock_speed_hz, pos_integer()}
    | {mode, 0..3}
    | {address_len_bits, 0..64}
    | {command_len_bits, 0..16}
    | {bit_order, msb_first | lsb_first}
    | {word_size, 8 | 16 | 32}.
-type device_config() :: [device_option()] | #{atom() => term()}.
-type device_name() :: atom().
-type params() ::
    [{bus_config, bus_config() | map()} | {device_config, [{device_name(), device_config()}] | map()}]
    | map().
-type spi() :: port().
-type address() :: non_neg_integer().
-type transaction() :: #{
    command => 0..65535,
    address => integer(),
    write_data => binary(),
    write_bits => non_neg_integer(),
    read_bits => non_neg_integer()
}.
-type config() :: #{
    clock_speed_hz := pos_integer(),
    mode := 0..3,
    bit_order := msb_first | lsb_first,
    word_size := 8 | 16 | 32,
    cs := non_neg_integer() | undefined,
    address_len_bits := 0..64,
    command_len_bits := 0..16
}.
-type config_key() ::
    clock_speed_hz | mode | bit_order | word_size | cs | address_len_bits | command_len_bits.
-type changes() :: [{config_key(), term()}] | #{config_key() => term()}.
-type async_ref() :: reference().

-export_type([
    spi/0, device_name/0, address/0, params/0, transaction/0, config/0, changes/0, async_ref/0
]).

%% @doc Opens the bus with its devices and links it to the caller; returns the handle.
%% Raises `error(Reason)' on bad parameters (see the module doc).
-spec open(Params :: params()) -> spi().
open(Params) ->
    case atomvm_port:open("spi", Params) of
        {ok, Port} ->
            link(Port),
            Port;
        {error, Reason} ->
            erlang:error(Reason, [Params])
    end.

%% @doc Closes the bus: transfers in flight are waited for, undelivered results dropped.
-spec close(SPI :: spi()) -> ok.
close(SPI) ->
    port:call(SPI, close).

%% @doc Sends the address (with the device's command bits, a zero command first) and reads
%% `Len' bits (0..64): `{ok, Value}', the bits as a big-endian unsigned integer.
-spec read_at(
    SPI :: spi(), DeviceName :: device_name(), Address :: address(), Len :: non_neg_integer()
) ->
    {ok, integer()} | {error, Reason :: term()}.
read_at(SPI, DeviceName, Address, Len) ->
    port:call(SPI, {read_at, DeviceName, Address, Len}).

%% @doc Sends the address with bit 7 set, then the low `Len' bits (0..64) of `Data';
%% `{ok, Value}' is what the device sent back meanwhile.
-spec write_at(
    SPI :: spi(),
    DeviceName :: device_name(),
    Address :: address(),
    Len :: non_neg_integer(),
    Data :: integer()
) ->
    {ok, integer()} | {error, Reason :: term()}.
write_at(SPI, DeviceName, Address, Len, Data) ->
    port:call(SPI, {write_at, DeviceName, Address, Len, Data}).

%% @doc Sends the transaction's command, address and data; nothing is read.
-spec write(SPI :: spi(), DeviceName :: device_name(), Transaction :: transaction()) ->
    ok | {error, Reason :: term()}.
write(SPI, DeviceName, Transaction) when
    is_port(SPI) andalso is_atom(DeviceName) andalso is_map(Transaction)
->
    port:call(SPI, {write, DeviceName, Transaction}).

%% @doc Sends the transaction and returns the `read_bits' read after its command and address.
-spec write_read(SPI :: spi(), DeviceName :: device_name(), Transaction :: transaction()) ->
    {ok, ReadData :: binary()} | {error, Reason :: term()}.
write_read(SPI, DeviceName, Transaction) when
    is_port(SPI) andalso is_atom(DeviceName) andalso is_map(Transaction)
->
    port:call(SPI, {write_read, DeviceName, Transaction}).

%% @doc The device's configuration (`cs' is `undefined' without a chip select).
-spec get_config(SPI :: spi(), DeviceName :: device_name()) ->
    {ok, config()} | {error, Reason :: term()}.
get_config(SPI, DeviceName) ->
    case port:call(SPI, {get_config, DeviceName}) of
        {ok, Config} when is_list(Config) -> {ok, maps:from_list(Config)};
        Other -> Other
    end.

%% @doc Changes some of the device's configuration (a list or a map of its keys): every value
%% is checked, then all are applied, or none (`{error, {badarg, Key}}'). The next transfer
%% uses them; transfers in flight keep the configuration they started with.
-spec set_config(SPI :: spi(), DeviceName :: device_name(), Changes :: changes()) ->
    ok | {error, Reason :: term()}.
set_config(SPI, DeviceName, Changes) ->
    port:call(SPI, {set_config, DeviceName, Changes}).

%% @doc Starts `write_read(SPI, DeviceName, Transaction)' and returns at once: `{ok, Ref}',
%% then `{spi_done, Ref, {ok, Binary} | {error, Reason}}' to the caller, in submission order;
%% `{error, busy}' when CONFIG_ATOMVM_PORT_SPI_ASYNC_DEPTH transfers are in flight, or the
%% transaction's error at once.
-spec write_read_async(SPI :: spi(), DeviceName :: device_name(), Transaction :: transaction()) ->
    {ok, async_ref()} | {error, Reason :: term()}.
write_read_async(SPI, DeviceName, Transaction) when
    is_port(SPI) andalso is_atom(DeviceName) andalso is_map(Transaction)
->
    port:call(SPI, {write_read_async, DeviceName, Transaction}).

%% @doc The bus's counts: transfers submitted, completed, delivered, cancelled, refused
%% `busy', and the configuration resources created and destroyed.
-spec get_counters(SPI :: spi()) -> {counters, [{atom(), non_neg_integer()}]} | {error, term()}.
get_counters(SPI) ->
    port:call(SPI, get_counters).
