%% SPDX-License-Identifier: Apache-2.0
%%
%% @doc ST LIS3DH 3-axis accelerometer on SPI, written only against AtomVM's `spi' API.
%%
%% The driver calls nothing but `spi:read_at/4', `spi:write/3' and `spi:write_read/3' with the
%% semantics AtomVM documents for them (the `spi_hal' behaviour), and takes the open bus and
%% the device's name from its caller. Nothing in it is specific to Zephyr: the same file runs
%% unchanged on this module's `spi' port (samples/spi on devicetree-described boards, and
%% tests/spi, where it drives the register-file emulator posing as an LIS3DH) and on AtomVM's
%% ESP32, STM32 and RP2 `spi' modules, where the caller opens the bus with pin numbers instead.
%%
%% ```
%% SPI = spi:open([{device_config, [{accel, [{cs, 0} | lis3dh:device_options()]}]}]),
%% {ok, Sensor} = lis3dh:open(SPI, accel),
%% {ok, Sensor1} = lis3dh:configure(Sensor, #{odr => 50, range => 2}),
%% {ok, {X, Y, Z}} = lis3dh:acceleration(Sensor1).   % mg
%% '''
%%
%% The wire protocol (LIS3DH datasheet, "SPI bus interface"): the first byte of a frame is
%% the register address, bit 7 set for a read, bit 6 set to step to the next register after
%% each byte (a burst); the data follow. So reads are `read_at/4' or `write_read/3' with bit 7
%% in the address, writes are `write/3' with a plain address. `spi:write_at/5' is not used:
%% AtomVM's `write_at' sends the address with bit 7 set, which an LIS3DH takes as a read.
%%
%% The device needs 8-bit addresses, no command phase, SPI mode 3 (mode 0 works too) and at
%% most 10 MHz: `device_options/0' gives them, the caller adds the chip select.
-module(lis3dh).

-export([device_options/0, who_am_i/2, open/2, configure/2, settings/1, data_ready/1,
         acceleration/1]).

-export_type([sensor/0, settings/0, odr/0, range/0, resolution/0]).

-define(WHO_AM_I, 16#0F).
-define(ID, 16#33).
-define(CTRL_REG1, 16#20).
-define(CTRL_REG4, 16#23).
-define(STATUS_REG, 16#27).
-define(OUT_X_L, 16#28).

%% Address bits: read, and step through registers (burst).
-define(READ, 16#80).
-define(BURST, 16#40).

%% CTRL_REG1: ODR in bits 7..4, LPen (low-power) bit 3, Z/Y/X enable bits 2..0.
-define(LPEN, 16#08).
-define(XYZ_EN, 16#07).
%% CTRL_REG4: BDU (outputs not updated between the reads of their two bytes) bit 7,
%% FS (range) bits 5..4, HR (high resolution) bit 3. BLE = 0 (little-endian outputs).
-define(BDU, 16#80).
-define(HR, 16#08).
%% STATUS_REG: ZYXDA, a new X, Y and Z sample is there.
-define(ZYXDA, 16#08).

-type odr() :: power_down | 1 | 10 | 25 | 50 | 100 | 200 | 400 | 1344 | 1600 | 5376.
-type range() :: 2 | 4 | 8 | 16.
-type resolution() :: high_resolution | normal | low_power.
-type settings() :: #{odr := odr(), range := range(), resolution := resolution()}.
-opaque sensor() :: {lis3dh, term(), atom(), settings()}.

%% @doc The device options an LIS3DH needs, for `spi:open/1''s `device_config': add the chip
%% select (`{cs, N}').
-spec device_options() -> [{atom(), term()}].
device_options() ->
    [{clock_speed_hz, 1000000}, {mode, 3}, {address_len_bits, 8}, {command_len_bits, 0}].

%% @doc The WHO_AM_I register (0x33 on an LIS3DH).
-spec who_am_i(SPI :: term(), Device :: atom()) -> {ok, byte()} | {error, term()}.
who_am_i(SPI, Device) ->
    spi:read_at(SPI, Device, ?READ bor ?WHO_AM_I, 8).

%% @doc Checks that `Device' is an LIS3DH and reads its current settings (what `acceleration/1'
%% needs to scale the outputs): `{error, {not_lis3dh, Id}}' when WHO_AM_I is not 0x33.
-spec open(SPI :: term(), Device :: atom()) -> {ok, sensor()} | {error, term()}.
open(SPI, Device) ->
    case who_am_i(SPI, Device) of
        {ok, ?ID} ->
            case read_settings(SPI, Device) of
                {ok, Settings} -> {ok, {lis3dh, SPI, Device, Settings}};
                Error -> Error
            end;
        {ok, Other} ->
            {error, {not_lis3dh, Other}};
        Error ->
            Error
    end.

%% @doc Sets the output data rate (`odr', Hz, or `power_down'), the full scale (`range',
%% ±2, 4, 8 or 16 g) and the `resolution' (`high_resolution': 12 bits, `normal': 10 bits,
%% `low_power': 8 bits), each defaulting to the current one; X, Y and Z are enabled and the
%% outputs are read consistently (BDU). The registers are read back: `{error, {not_written,
%% Reg1, Reg4}}' if the device did not take them. Bad options are `{error, {badarg, Key}}'.
-spec configure(Sensor :: sensor(), Options :: #{atom() => term()} | [{atom(), term()}]) ->
    {ok, sensor()} | {error, term()}.
configure(Sensor, Options) when is_list(Options) ->
    configure(Sensor, maps:from_list(Options));
configure({lis3dh, SPI, Device, Current}, Options) when is_map(Options) ->
    case check_options(maps:to_list(Options)) of
        ok ->
            Settings = maps:merge(Current, Options),
            case encode(Settings) of
                {ok, Reg1, Reg4} -> write_settings(SPI, Device, Settings, Reg1, Reg4);
                Error -> Error
            end;
        Error ->
            Error
    end;
configure(_Sensor, _Options) ->
    {error, {badarg, options}}.

%% @doc The settings the sensor was opened or last configured with.
-spec settings(Sensor :: sensor()) -> settings().
settings({lis3dh, _SPI, _Device, Settings}) -> Settings.

%% @doc Whether a new X, Y and Z sample is there (STATUS_REG's ZYXDA).
-spec data_ready(Sensor :: sensor()) -> {ok, boolean()} | {error, term()}.
data_ready({lis3dh, SPI, Device, _}) ->
    case spi:read_at(SPI, Device, ?READ bor ?STATUS_REG, 8) of
        {ok, Status} -> {ok, Status band ?ZYXDA =/= 0};
        Error -> Error
    end.

%% @doc The acceleration on X, Y and Z in mg: the six output registers in one burst,
%% left-justified two's complement, scaled by the datasheet's sensitivity for the range and
%% resolution.
-spec acceleration(Sensor :: sensor()) -> {ok, {integer(), integer(), integer()}} | {error, term()}.
acceleration({lis3dh, SPI, Device, #{range := Range, resolution := Resolution}}) ->
    case spi:write_read(SPI, Device, #{address => ?READ bor ?BURST bor ?OUT_X_L, read_bits => 48}) of
        {ok, <<X:16/little-signed, Y:16/little-signed, Z:16/little-signed>>} ->
            Shift = 16 - bits(Resolution),
            Mg = sensitivity(Resolution, Range),
            {ok, {(X bsr Shift) * Mg, (Y bsr Shift) * Mg, (Z bsr Shift) * Mg}};
        {ok, Other} ->
            {error, {short_read, Other}};
        Error ->
            Error
    end.

%% --- internals ---

check_options([]) -> ok;
check_options([{odr, V} | T]) -> check(odr, odr_code(V) =/= error, T);
check_options([{range, V} | T]) -> check(range, lists:member(V, [2, 4, 8, 16]), T);
check_options([{resolution, V} | T]) ->
    check(resolution, lists:member(V, [high_resolution, normal, low_power]), T);
check_options([{Key, _} | _]) -> {error, {badarg, Key}}.

check(_Key, true, T) -> check_options(T);
check(Key, false, _T) -> {error, {badarg, Key}}.

%% The rates both normal and low-power modes have; 1344 is normal or high resolution only,
%% 1600 and 5376 low-power only.
odr_code(power_down) -> 0;
odr_code(1) -> 1;
odr_code(10) -> 2;
odr_code(25) -> 3;
odr_code(50) -> 4;
odr_code(100) -> 5;
odr_code(200) -> 6;
odr_code(400) -> 7;
odr_code(1600) -> 8;
odr_code(1344) -> 9;
odr_code(5376) -> 9;
odr_code(_) -> error.

odr_of(0, _) -> power_down;
odr_of(8, _) -> 1600;
odr_of(9, low_power) -> 5376;
odr_of(9, _) -> 1344;
odr_of(Code, _) when Code >= 1, Code =< 7 -> lists:nth(Code, [1, 10, 25, 50, 100, 200, 400]);
odr_of(_, _) -> undefined.

fs_code(2) -> 0;
fs_code(4) -> 1;
fs_code(8) -> 2;
fs_code(16) -> 3.

encode(#{odr := Odr, range := Range, resolution := Resolution}) ->
    case {Odr, Resolution} of
        {1600, R} when R =/= low_power -> {error, {badarg, odr}};
        {5376, R} when R =/= low_power -> {error, {badarg, odr}};
        {1344, low_power} -> {error, {badarg, odr}};
        _ ->
            Lp = case Resolution of low_power -> ?LPEN; _ -> 0 end,
            Hr = case Resolution of high_resolution -> ?HR; _ -> 0 end,
            {ok, (odr_code(Odr) bsl 4) bor Lp bor ?XYZ_EN, ?BDU bor (fs_code(Range) bsl 4) bor Hr}
    end.

write_settings(SPI, Device, Settings, Reg1, Reg4) ->
    W1 = spi:write(SPI, Device, #{address => ?CTRL_REG1, write_data => <<Reg1>>}),
    W4 = spi:write(SPI, Device, #{address => ?CTRL_REG4, write_data => <<Reg4>>}),
    case {W1, W4} of
        {ok, ok} ->
            case read_ctrl(SPI, Device) of
                {ok, Reg1, Reg4} -> {ok, {lis3dh, SPI, Device, Settings}};
                {ok, Got1, Got4} -> {error, {not_written, Got1, Got4}};
                Error -> Error
            end;
        {ok, Error} -> Error;
        {Error, _} -> Error
    end.

%% CTRL_REG1..CTRL_REG4 in one burst.
read_ctrl(SPI, Device) ->
    case spi:write_read(SPI, Device, #{address => ?READ bor ?BURST bor ?CTRL_REG1, read_bits => 32}) of
        {ok, <<Reg1, _Reg2, _Reg3, Reg4>>} -> {ok, Reg1, Reg4};
        {ok, Other} -> {error, {short_read, Other}};
        Error -> Error
    end.

read_settings(SPI, Device) ->
    case read_ctrl(SPI, Device) of
        {ok, Reg1, Reg4} ->
            Resolution =
                case {Reg1 band ?LPEN, Reg4 band ?HR} of
                    {0, 0} -> normal;
                    {0, _} -> high_resolution;
                    {_, 0} -> low_power;
                    %% Both set is "not allowed" (datasheet): nothing to scale by.
                    _ -> undefined
                end,
            Odr = odr_of(Reg1 bsr 4, Resolution),
            case {Odr, Resolution} of
                {undefined, _} -> {error, {bad_settings, Reg1, Reg4}};
                {_, undefined} -> {error, {bad_settings, Reg1, Reg4}};
                _ ->
                    Range = lists:nth(((Reg4 bsr 4) band 3) + 1, [2, 4, 8, 16]),
                    {ok, #{odr => Odr, range => Range, resolution => Resolution}}
            end;
        Error ->
            Error
    end.

bits(high_resolution) -> 12;
bits(normal) -> 10;
bits(low_power) -> 8.

%% mg per digit (datasheet, table 4).
sensitivity(high_resolution, Range) -> element(fs_code(Range) + 1, {1, 2, 4, 12});
sensitivity(normal, Range) -> element(fs_code(Range) + 1, {4, 8, 16, 48});
sensitivity(low_power, Range) -> element(fs_code(Range) + 1, {16, 32, 64, 192}).
