%% SPDX-License-Identifier: Apache-2.0
%%
%% The `spi' port (src/ports/spi) on the VM against the module's SPI register files
%% (atomvm,spi-regs-emul on zephyr,spi-emul-controller, app.overlay): `a' (CS 0) and `b'
%% (CS 1, bit 6 = read, idle byte 0x5a) on `spi_bus', the chosen bus, and `c' on `spi_bus2'.
%% What the devices hold, saw and counted is read back through the test port `spi_emul'
%% (src/lib.rs). Every bad input must give {error, _} and leave the VM running. Every wait
%% has a timeout that fails the case.
%%
%% The same suite runs on two scenarios (testcase.yaml): the plain one, whose controllers have
%% no transceive_async (the port's worker path), and the driver-callback one (async.overlay),
%% whose controllers complete from a timer interrupt after a delay (the port's driver path:
%% one transfer in the driver, the rest queued in the port). Where the paths differ (what a
%% closing port cancels), the cases ask which one the bus has (isr_path/1).
-module(spi_test).
-export([start/0]).

-import(avm_test, [check/2, expect/2]).

%% CONFIG_ATOMVM_PORT_SPI_ASYNC_DEPTH (prj.conf).
-define(DEPTH, 8).

start() ->
    Result = avm_test:run("spi", cases()),
    %% Left open on purpose, with transfers in flight: stopping the VM must drop the port,
    %% settle every transfer and destroy every configuration resource (checked from Rust).
    SPI = spi:open([{bus_config, [{peripheral, "spi_bus2"}]}, {device_config, [{c, []}]}]),
    unlink(SPI),
    [{ok, _} = spi:write_read_async(SPI, c, #{address => 16#80, read_bits => 8})
     || _ <- lists:seq(1, ?DEPTH)],
    Result.

cases() ->
    [
        fun registers_through_read_at_write_at_write_read/0,
        fun command_and_address_prefixes/0,
        fun two_devices_modes_and_speeds/0,
        fun async_1000_in_order/0,
        fun busy_past_the_limit/0,
        fun get_config_set_config/0,
        fun bad_configs/0,
        fun bad_transactions/0,
        fun injected_fault/0,
        fun close_with_transfers_in_flight/0,
        fun kill_with_transfers_in_flight/0,
        fun sync_call_behind_async_transfers/0,
        fun emulated_lis3dh_from_devicetree/0,
        fun lis3dh_driver_unchanged/0,
        fun values_of_64_bits/0
    ].

%% --- helpers ---

emul(Request) ->
    E = open_port({spawn, "spi_emul"}, []),
    R = port:call(E, Request),
    ok = port:call(E, close),
    R.

regs(Which, Reg, Len) ->
    {ok, Bin} = emul({regs, Which, Reg, Len}),
    Bin.

set_regs(Which, Reg, Bin) -> ok = emul({set_regs, Which, Reg, Bin}).

reset(Which) -> ok = emul({reset, Which}).

counters(Which) ->
    {ok, C} = emul({counters, Which}),
    C.

counter(Which, Key) -> proplists:get_value(Key, counters(Which)).

last_config(Which) ->
    {ok, C} = emul({last_config, Which}),
    C.

%% The spi port's totals since boot: {ConfigCreated, ConfigDestroyed, Submitted, Completed,
%% Delivered, Cancelled, Leaked}.
spi_counts() ->
    {ok, {Cr, De}, {S, C, D, X, L}} = emul(spi_counts),
    {Cr, De, S, C, D, X, L}.

%% Transfers closing ports cancelled before they reached the driver, since boot.
unstarted() ->
    {ok, U} = emul(spi_unstarted),
    U.

%% Whether `Bus' is an emulated async controller (the driver-callback scenario).
isr_path(Bus) ->
    case emul({async_counts, Bus}) of
        {ok, _} -> true;
        {error, no_device} -> false
    end.

%% The async controller's counters: {SyncCalls, AsyncCalls, Callbacks, CallbacksInIsr}.
async_counts(Bus) ->
    {ok, C} = emul({async_counts, Bus}),
    list_to_tuple([proplists:get_value(K, C)
                   || K <- [sync_calls, async_calls, callbacks, callbacks_in_isr]]).

%% `Fun()' with `Bus''s completion delay at `Us' (driver-callback scenario), then 100 us again.
with_delay(Bus, Us, Fun) ->
    case isr_path(Bus) of
        true ->
            ok = emul({async_delay, Bus, Us}),
            try Fun() after ok = emul({async_delay, Bus, 100}) end;
        false ->
            Fun()
    end.

diff(T1, T0) -> list_to_tuple([B - A || {A, B} <- lists:zip(tuple_to_list(T0), tuple_to_list(T1))]).

port_counter(SPI, Key) ->
    {counters, C} = spi:get_counters(SPI),
    proplists:get_value(Key, C).

%% `Fun(SPI)' with the bus open, closed afterwards whatever happens.
with_bus(Params, Fun) ->
    SPI = spi:open(Params),
    try
        Fun(SPI)
    after
        spi:close(SPI)
    end.

%% spi_bus with a at CS 0 (2 MHz, mode 1) and b at CS 1 (500 kHz, mode 3), plus `Extra'.
bus_a_b(Extra) ->
    [{bus_config, [{peripheral, "spi_bus"}]},
     {device_config, [{a, [{cs, 0}, {clock_speed_hz, 2000000}, {mode, 1}]},
                      {b, [{cs, 1}, {clock_speed_hz, 500000}, {mode, 3}]} | Extra]}].

%% The gen_call port:call/2 sends, without waiting: the reply comes as {Ref, Reply}.
call_async(Port, Request) ->
    Ref = make_ref(),
    Port ! {'$call', {self(), Ref}, Request},
    Ref.

%% Every spi_done already in the mailbox (each case has its own bus), oldest first.
flush_done(SPI) ->
    receive
        {spi_done, Ref, _} = M when is_reference(Ref) -> [M | flush_done(SPI)]
    after 0 -> []
    end.

await_down(P) ->
    Ref = erlang:monitor(port, P),
    receive
        {'DOWN', Ref, port, P, _} -> ok
    after 5000 -> throw({timeout, port_down, P})
    end.

mismatches(_, [], []) -> [];
mismatches(N, [W | Ws], [W | Gs]) -> mismatches(N + 1, Ws, Gs);
mismatches(N, [W | Ws], [G | Gs]) -> [{N, W, G} | mismatches(N + 1, Ws, Gs)].

%% --- cases ---

%% read_at, write_at, write and write_read against the registers, values checked on both
%% sides; on b (read flag bit 6) write_at's bit 7 makes a write, on a (read flag bit 7) a
%% read of what it would have overwritten.
registers_through_read_at_write_at_write_read() ->
    set_regs(a, 16#20, <<16#11, 16#22, 16#33, 16#44, 16#55, 16#66, 16#AB, 16#CD, 0, 0, 0, 0>>),
    set_regs(b, 16#10, <<0, 0>>),
    reset(a),
    reset(b),
    Got = with_bus(bus_a_b([]), fun(SPI) ->
        [spi:read_at(SPI, a, 16#A0, 8),
         spi:read_at(SPI, a, 16#A1, 32),
         spi:read_at(SPI, a, 16#A0, 48),
         spi:write_read(SPI, a, #{address => 16#A6, read_bits => 12}),
         spi:write(SPI, a, #{address => 16#28, write_data => <<1, 2, 3, 4>>}),
         spi:write_read(SPI, a, #{address => 16#A8, read_bits => 32}),
         spi:write_at(SPI, b, 16#10, 16, 16#BEEF),
         spi:read_at(SPI, b, 16#50, 16),
         spi:write_at(SPI, a, 16#20, 16, 16#0102)]
    end),
    Want = [{ok, 16#11}, {ok, 16#22334455}, {ok, 16#112233445566}, {ok, <<16#AB, 16#C0>>},
            ok, {ok, <<1, 2, 3, 4>>}, {ok, 16#5A5A}, {ok, 16#BEEF}, {ok, 16#1122}],
    Frames = fun(W) -> {counter(W, read_frames), counter(W, write_frames), counter(W, bytes)} end,
    expect({[], <<16#11, 16#22, 16#33, 16#44, 16#55, 16#66, 16#AB, 16#CD, 1, 2, 3, 4>>,
            <<16#BE, 16#EF>>, {6, 1, 30}, {1, 1, 6}},
           {mismatches(1, Want, Got), regs(a, 16#20, 12), regs(b, 16#10, 2), Frames(a),
            Frames(b)}).

%% Command and address bits, big-endian, at any width, before the data; the answer is cut from
%% the data phase.
command_and_address_prefixes() ->
    set_regs(a, 0, <<16#EE, 16#FF>>),
    set_regs(a, 16#40, <<16#10, 16#20, 16#30, 16#40, 16#5A, 16#6B>>),
    set_regs(a, 16#50, <<0, 0, 0, 0>>),
    Devices = [{c4a4, [{cs, 0}, {command_len_bits, 4}, {address_len_bits, 4}]},
               {a16, [{cs, 0}, {address_len_bits, 16}]},
               {c8a8, [{cs, 0}, {command_len_bits, 8}]},
               {c12a0, [{cs, 0}, {command_len_bits, 12}, {address_len_bits, 0}]}],
    Got = with_bus([{device_config, Devices}], fun(SPI) ->
        %% 0xC1: a read of 0x41 (only the low 4 bits of each).
        [spi:write_read(SPI, c4a4, #{command => 16#3C, address => 16#71, read_bits => 16}),
         %% 0xC2 0xFF: a read of 0x42, whose register the second address byte clocked out.
         spi:write_read(SPI, a16, #{address => 16#7C2FF, read_bits => 16}),
         %% 0x50 0xAA 7 8: a write of 0xAA 7 8 at 0x50.
         spi:write(SPI, c8a8, #{command => 16#50, address => 16#AA, write_data => <<7, 8>>}),
         %% A zero command first (as ESP32): 0x00 0x55 0x00 writes 0x55 0 at 0.
         spi:read_at(SPI, c8a8, 16#55, 8),
         %% 0xC4 0x5|0 0x0|0: a read of 0x44; the answer is the 8 bits after the 12th.
         spi:write_read(SPI, c12a0, #{command => 16#C45, read_bits => 8})]
    end),
    Want = [{ok, <<16#20, 16#30>>}, {ok, <<16#40, 16#5A>>}, ok, {ok, 0}, {ok, <<16#A6>>}],
    expect({[], <<16#AA, 7, 8>>, <<16#55, 0>>},
           {mismatches(1, Want, Got), regs(a, 16#50, 3), regs(a, 0, 2)}).

%% Each device's mode, clock, chip select, word size and bit order as its register file saw
%% them; a devicetree node's reg and spi-max-frequency.
two_devices_modes_and_speeds() ->
    set_regs(a, 16#60, <<1, 2, 3, 4>>),
    set_regs(a, 16#30, <<0>>),
    set_regs(b, 16#20, <<9, 8, 7, 6>>),
    reset(a),
    reset(b),
    Extra = [{a16w, [{cs, 0}, {word_size, 16}, {clock_speed_hz, 4000000}]},
             {alsb, [{cs, 0}, {bit_order, lsb_first}, {mode, 2}]},
             {bnode, [{device, "regs_b"}]}],
    Cfg = fun(W) ->
        C = last_config(W),
        [proplists:get_value(K, C) || K <- [seen, frequency, mode, word_size, lsb_first, slave]]
    end,
    Got = with_bus(bus_a_b(Extra), fun(SPI) ->
        RA = spi:read_at(SPI, a, 16#E0, 16),
        CA = Cfg(a),
        RB = spi:read_at(SPI, b, 16#60, 16),
        CB = Cfg(b),
        CA2 = Cfg(a),
        RW = spi:write_read(SPI, a16w, #{address => 16#E0, read_bits => 24}),
        CW = Cfg(a),
        %% LSB first: 0x0C goes out as 0x30 (a write at 0x30), 0x01 as 0x80.
        WL = spi:write(SPI, alsb, #{address => 16#0C, write_data => <<16#01>>}),
        CL = Cfg(a),
        {ok, NodeCfg} = spi:get_config(SPI, bnode),
        RN = spi:read_at(SPI, bnode, 16#62, 8),
        CN = Cfg(b),
        {[RA, RB, RW, WL, RN], [CA, CB, CA2, CW, CL, CN],
         {maps:get(cs, NodeCfg), maps:get(clock_speed_hz, NodeCfg)}}
    end),
    {Replies, Seen, Node} = Got,
    expect({[{ok, 16#0102}, {ok, 16#0908}, {ok, <<1, 2, 3>>}, ok, {ok, 7}],
            [[1, 2000000, 1, 8, 0, 0], [1, 500000, 3, 8, 0, 1], [1, 2000000, 1, 8, 0, 0],
             [1, 4000000, 0, 16, 0, 0], [1, 1000000, 2, 8, 1, 0], [1, 8000000, 0, 8, 0, 1]],
            {1, 8000000}, <<16#80>>},
           {Replies, Seen, Node, regs(a, 16#30, 1)}).

%% 1000 asynchronous transfers in rounds of ?DEPTH sent in one go (so the port takes several
%% completions per doorbell): every spi_done in submission order with the register its
%% transfer read, and every count exact (port, emulator, totals).
async_1000_in_order() ->
    set_regs(a, 0, list_to_binary(lists:seq(0, 127))),
    reset(a),
    Isr = isr_path(spi_bus),
    A0 = case Isr of true -> async_counts(spi_bus); false -> {0, 0, 0, 0} end,
    T0 = spi_counts(),
    R = with_bus([{device_config, [{a, [{cs, 0}]}]}], fun(SPI) ->
        Loop = async_rounds(SPI, 0, 1000),
        Port = [port_counter(SPI, K)
                || K <- [async_submitted, async_completed, async_delivered, async_busy,
                         async_in_flight]],
        {Loop, Port}
    end),
    T1 = spi_counts(),
    {_, _, S, C, D, X, L} = diff(T1, T0),
    %% Driver-callback scenario: every transfer through spi_transceive_cb, every completion
    %% from the controller's callback in interrupt context.
    A = case Isr of true -> diff(async_counts(spi_bus), A0); false -> {0, 0, 0, 0} end,
    WantA = case Isr of true -> {0, 1000, 1000, 1000}; false -> {0, 0, 0, 0} end,
    expect({{ok, [1000, 1000, 1000, 0, 0]}, {1000, 1000, 1000, 0, 0}, 1000, 0, WantA},
           {R, {S, C, D, X, L}, counter(a, read_frames), counter(a, failed), A}).

%% Transfers K..K+?DEPTH-1 (reading registers K rem 128...) submitted at once; then their
%% spi_done, which must come in that order.
async_rounds(_SPI, N, N) -> ok;
async_rounds(SPI, K, N) ->
    Ks = lists:seq(K, min(K + ?DEPTH, N) - 1),
    Calls = [call_async(SPI, {write_read_async, a, #{address => 16#80 bor (I rem 128),
                                                      read_bits => 8}}) || I <- Ks],
    Replies = [receive {Ref, Reply} -> Reply after 5000 -> timeout end || Ref <- Calls],
    case [Ref || {ok, Ref} <- Replies, is_reference(Ref)] of
        Ids when length(Ids) =:= length(Ks) ->
            case async_done(SPI, lists:zip(Ids, Ks)) of
                ok -> async_rounds(SPI, K + length(Ks), N);
                Error -> Error
            end;
        _ -> {submit, K, Replies}
    end.

async_done(_SPI, []) -> ok;
async_done(SPI, [{Id, I} | Rest]) ->
    V = I rem 128,
    receive
        {spi_done, Id, {ok, <<V>>}} -> async_done(SPI, Rest);
        {spi_done, Other, Res} -> {out_of_order, {want, Id, V}, {got, Other, Res}}
    after 5000 -> {timeout, Id}
    end.

%% ?DEPTH + 32 submissions in one go, before the port can take a completion: ?DEPTH admitted,
%% the rest {error, busy} and counted; the admitted ones complete in order, and the bus takes
%% new ones afterwards.
busy_past_the_limit() ->
    set_regs(a, 16#10, <<16#77>>),
    with_bus([{device_config, [{a, [{cs, 0}]}]}], fun(SPI) ->
        Req = {write_read_async, a, #{address => 16#90, read_bits => 8}},
        Refs = [call_async(SPI, Req) || _ <- lists:seq(1, ?DEPTH + 32)],
        Replies = [receive {R, Reply} -> Reply after 5000 -> timeout end || R <- Refs],
        Ids = [Id || {ok, Id} <- Replies],
        Busy = length([b || {error, busy} <- Replies]),
        Done = [receive {spi_done, Id, Res} -> Res after 5000 -> timeout end
                || Id <- Ids],
        Again = spi:read_at(SPI, a, 16#90, 8),
        expect({?DEPTH, 32, lists:duplicate(?DEPTH, {ok, <<16#77>>}), 32, {ok, 16#77}},
               {length(Ids), Busy, Done, port_counter(SPI, async_busy), Again})
    end).

%% get_config reads the resource; set_config changes it as a whole or not at all, and the
%% register file sees the change (and no change after a refused one).
get_config_set_config() ->
    reset(a),
    with_bus(bus_a_b([]), fun(SPI) ->
        C0 = spi:get_config(SPI, a),
        S1 = spi:set_config(SPI, a, [{mode, 2}, {clock_speed_hz, 250000}]),
        C1 = spi:get_config(SPI, a),
        _ = spi:read_at(SPI, a, 16#80, 8),
        E1 = last_config(a),
        Bad = [spi:set_config(SPI, a, Changes) || Changes <- [
                   [{mode, 0}, {word_size, 7}],
                   #{mode => 4},
                   [{clock_speed_hz, 0}],
                   [{bit_order, sideways}, {mode, 1}],
                   [{address_len_bits, 65}],
                   [{command_len_bits, 17}],
                   [{cs, 65536}],
                   [{speed, 1}],
                   not_changes]],
        Unknown = spi:set_config(SPI, nobody, [{mode, 0}]),
        C2 = spi:get_config(SPI, a),
        _ = spi:read_at(SPI, a, 16#80, 8),
        E2 = last_config(a),
        S3 = spi:set_config(SPI, a, #{word_size => 16, bit_order => lsb_first}),
        {ok, #{word_size := W3, bit_order := O3}} = spi:get_config(SPI, a),
        Want0 = #{clock_speed_hz => 2000000, mode => 1, bit_order => msb_first, word_size => 8,
                  cs => 0, address_len_bits => 8, command_len_bits => 0},
        Want1 = Want0#{mode => 2, clock_speed_hz => 250000},
        Seen = fun(E) -> {proplists:get_value(mode, E), proplists:get_value(frequency, E)} end,
        WantBad = [{error, {badarg, word_size}}, {error, {badarg, mode}},
                   {error, {badarg, clock_speed_hz}}, {error, {badarg, bit_order}},
                   {error, {badarg, address_len_bits}}, {error, {badarg, command_len_bits}},
                   {error, {badarg, cs}}, {error, unknown_option}, {error, {badarg, changes}}],
        expect({{ok, Want0}, ok, {ok, Want1}, {2, 250000}, [], {error, {unknown_device, nobody}},
                {ok, Want1}, {2, 250000}, ok, {16, lsb_first}},
               {C0, S1, C1, Seen(E1), mismatches(1, WantBad, Bad), Unknown, C2, Seen(E2), S3,
                {W3, O3}})
    end).

%% open/1 raises the port's reason for each bad parameter, the slots stay free, and the VM
%% runs on.
bad_configs() ->
    Cases = [
        {[{device_config, [{d, [{mode, 9}]}]}], {badarg, mode}},
        {[{device_config, [{d, [{clock_speed_hz, 0}]}]}], {badarg, clock_speed_hz}},
        {[{device_config, [{d, [{address_len_bits, 65}]}]}], {badarg, address_len_bits}},
        {[{device_config, [{d, [{command_len_bits, 17}]}]}], {badarg, command_len_bits}},
        {[{device_config, [{d, [{word_size, 12}]}]}], {badarg, word_size}},
        {[{device_config, [{d, [{bit_order, sideways}]}]}], {badarg, bit_order}},
        {[{device_config, [{d, [{cs, 65536}]}]}], {badarg, cs}},
        {[{device_config, [{d, [{speed, 1}]}]}], unknown_option},
        {[{device_config, [{d, [{device, "nope"}]}]}], {no_device, device}},
        {[{device_config, [{d, []}, {d, []}]}], {badarg, device_config}},
        {[{bus_config, [{peripheral, "nope"}]}], no_device},
        {[{bus_config, [{peripheral, 42}]}], {badarg, peripheral}},
        {not_params, badarg}
    ],
    Got = [try spi:open(P) of
               SPI -> spi:close(SPI), {opened, SPI}
           catch
               error:Reason -> Reason
           end || {P, _} <- Cases],
    Wrong = mismatches(1, [R || {_, R} <- Cases], Got),
    %% Both slots are free: two buses open at once, a third is busy.
    S1 = spi:open([{device_config, [{a, [{cs, 0}]}]}]),
    S2 = spi:open([{bus_config, [{peripheral, "spi_bus2"}]}, {device_config, [{c, []}]}]),
    Third = try spi:open([]) of S3 -> spi:close(S3), opened catch error:R -> R end,
    Read = spi:read_at(S1, a, 16#80, 8),
    ok = spi:close(S2),
    ok = spi:close(S1),
    expect({[], busy, ok}, {Wrong, Third, element(1, Read)}).

%% Bad transactions and requests get {error, _}, reach no device, and the port and VM run on.
bad_transactions() ->
    set_regs(a, 16#10, <<16#42>>),
    reset(a),
    with_bus(bus_a_b([]), fun(SPI) ->
        Big = binary:copy(<<16#A5>>, 255),
        Cases = [
            {spi:read_at(SPI, a, 1, 65), {badarg, len}},
            {spi:read_at(SPI, a, 1, -1), {badarg, len}},
            {spi:read_at(SPI, a, foo, 8), {badarg, address}},
            {spi:write_at(SPI, a, 1, 8, <<1>>), {badarg, data}},
            {spi:write_read(SPI, a, #{read_bits => 1000000}), too_large},
            {spi:write(SPI, a, #{address => 1, write_data => <<Big/binary, 0>>}), too_large},
            {spi:write_read(SPI, a, #{write_data => <<1>>, write_bits => 9}), {badarg, write_bits}},
            {spi:write_read(SPI, a, #{write_bits => 8}), {badarg, write_bits}},
            {spi:write_read(SPI, a, #{command => -1}), {badarg, command}},
            {spi:write_read(SPI, a, #{command => 70000}), {badarg, command}},
            {spi:write_read(SPI, a, #{write_data => "list"}), {badarg, write_data}},
            {spi:write_read(SPI, a, #{read_bits => -1}), {badarg, read_bits}},
            {spi:write_read_async(SPI, a, #{command => 70000}), {badarg, command}},
            {spi:write_read_async(SPI, a, #{read_bits => 1000000}), too_large},
            {spi:read_at(SPI, nobody, 1, 8), {unknown_device, nobody}},
            {spi:write_read_async(SPI, nobody, #{}), {unknown_device, nobody}},
            {port:call(SPI, {frobnicate}), unknown_command},
            {port:call(SPI, {read_at, a}), unknown_command},
            {port:call(SPI, 42), badarg}
        ],
        Wrong = mismatches(1, [{error, R} || {_, R} <- Cases], [G || {G, _} <- Cases]),
        Transfers = counter(a, transfers),
        %% The largest transaction that fits (256 bytes on the wire) goes through.
        Read = spi:read_at(SPI, a, 16#90, 8),
        %% Other keys in a transaction map are ignored, as AtomVM does.
        Ignored = spi:write_read(SPI, a, #{address => 16#90, read_bits => 8, bogus => 1}),
        Max = spi:write(SPI, a, #{address => 16#40, write_data => Big}),
        expect({[], 0, ok, {ok, 16#42}, {ok, <<16#42>>}, <<16#A5, 16#A5>>},
               {Wrong, Transfers, Max, Read, Ignored, regs(a, 16#40, 2)})
    end).

%% A transfer the device fails is {error, io}, synchronous or asynchronous (in its place in the
%% order), and the next one works; the port counts the synchronous errors.
injected_fault() ->
    set_regs(a, 16#10, <<16#31, 16#32>>),
    reset(a),
    with_bus([{device_config, [{a, [{cs, 0}]}]}], fun(SPI) ->
        ok = emul({fail_next, a, 1, 5}),
        Sync = spi:read_at(SPI, a, 16#90, 8),
        After = spi:read_at(SPI, a, 16#90, 16),
        ok = emul({fail_next, a, 1, 5}),
        Refs = [begin {ok, R} = spi:write_read_async(SPI, a, #{address => 16#91, read_bits => 8}), R end
                || _ <- lists:seq(1, 3)],
        Async = [receive {spi_done, R, Res} -> Res after 5000 -> timeout end || R <- Refs],
        ok = emul({fail_next, a, 1, 5}),
        Write = spi:write(SPI, a, #{address => 16#10, write_data => <<0, 0>>}),
        expect({{error, io}, {ok, 16#3132}, [{error, io}, {ok, <<16#32>>}, {ok, <<16#32>>}],
                {error, io}, 3, <<16#31, 16#32>>, 2},
               {Sync, After, Async, Write, counter(a, failed), regs(a, 16#10, 2),
                port_counter(SPI, errors)})
    end).

%% close/1 right behind ?DEPTH submissions, all in the port's mailbox before any completion
%% can be taken: every one admitted, then close cancels their results (no spi_done comes),
%% nothing leaks, the configuration resource is destroyed and the bus opens again. Worker
%% path: close waits for the device to finish them all. Driver path (a 20 ms completion
%% delay): close waits for the one transfer the driver holds and cancels the rest before they
%% reach it, so the device sees fewer than ?DEPTH and every other one is counted never started.
close_with_transfers_in_flight() ->
    reset(c),
    Isr = isr_path(spi_bus2),
    T0 = spi_counts(),
    U0 = unstarted(),
    {Submitted, Closed, Done} = with_delay(spi_bus2, 20000, fun() ->
        SPI = spi:open([{bus_config, [{peripheral, "spi_bus2"}]},
                        {device_config, [{c, [{cs, 0}]}]}]),
        Req = {write_read_async, c, #{address => 16#80, read_bits => 8}},
        Refs = [call_async(SPI, Req) || _ <- lists:seq(1, ?DEPTH)],
        Cl = spi:close(SPI),
        {[receive {R, Reply} -> element(1, Reply) after 5000 -> timeout end || R <- Refs],
         Cl, flush_done(SPI)}
    end),
    T1 = spi_counts(),
    {Cr, De, S, C, D, X, L} = diff(T1, T0),
    U = unstarted() - U0,
    Frames = counter(c, read_frames),
    Again = with_bus([{bus_config, [{peripheral, "spi_bus2"}]}, {device_config, [{c, []}]}],
                     fun(S2) -> spi:read_at(S2, c, 16#80, 8) end),
    expect({lists:duplicate(?DEPTH, ok), ok, [], {1, 1}, {?DEPTH, 0, ?DEPTH, 0},
            {true, never_started(Isr, C)}, C, ok},
           {Submitted, Closed, Done, {Cr, De}, {S, D, X, L}, {reached(Isr, C), U}, Frames,
            element(1, Again)}).

%% Whether `C' transfers (completed by the device) of ?DEPTH in flight is what a closing port
%% lets reach it: all on the worker path; on the driver path the ones it started, at least
%% one and not all (the rest were really cancelled).
reached(true, C) -> C >= 1 andalso C < ?DEPTH;
reached(false, C) -> C =:= ?DEPTH.

%% Transfers a closing port cancelled before the driver saw them, of ?DEPTH.
never_started(true, C) -> ?DEPTH - C;
never_started(false, _) -> 0.

%% Killed (its owner died, say) with ?DEPTH transfers submitted and none delivered yet (the
%% port's counters say so just before): every transfer is delivered before the kill or
%% cancelled, nothing leaks, the configuration resource is destroyed, the slot is free.
%% Worker path: every one completed by the device. Driver path (a 20 ms completion delay):
%% only the ones the driver started reached the device, the rest were never started.
kill_with_transfers_in_flight() ->
    reset(c),
    Isr = isr_path(spi_bus2),
    T0 = spi_counts(),
    U0 = unstarted(),
    {Submitted, Port, Before} = with_delay(spi_bus2, 20000, fun() ->
        SPI = spi:open([{bus_config, [{peripheral, "spi_bus2"}]},
                        {device_config, [{c, [{cs, 0}]}]}]),
        unlink(SPI),
        Req = {write_read_async, c, #{address => 16#80, read_bits => 8}},
        Refs = [call_async(SPI, Req) || _ <- lists:seq(1, ?DEPTH)],
        %% Behind the submissions in the port's mailbox, ahead of any completion.
        {counters, P} = spi:get_counters(SPI),
        exit(SPI, kill),
        ok = await_down(SPI),
        {[receive {R, Reply} -> element(1, Reply) after 5000 -> timeout end || R <- Refs],
         P, flush_done(SPI)}
    end),
    T1 = spi_counts(),
    {Cr, De, S, C, D, X, L} = diff(T1, T0),
    U = unstarted() - U0,
    Frames = counter(c, read_frames),
    Again = with_bus([{bus_config, [{peripheral, "spi_bus2"}]}, {device_config, [{c, []}]}],
                     fun(S2) -> spi:read_at(S2, c, 16#80, 8) end),
    InFlight = [proplists:get_value(K, Port) || K <- [async_submitted, async_delivered]],
    expect({lists:duplicate(?DEPTH, ok), [?DEPTH, 0], {1, 1}, ?DEPTH,
            length(Before), ?DEPTH - length(Before), 0, {true, never_started(Isr, C)}, C, ok},
           {Submitted, InFlight, {Cr, De}, S, D, X, L, {reached(Isr, C), U}, Frames,
            element(1, Again)}).

%% A synchronous call behind ?DEPTH asynchronous writes of one register (5 ms each on the
%% driver path, queued in the port but for the one in the driver): it runs after all of them
%% (the port starts the queued ones and waits), so it reads the last value written; then every
%% spi_done comes, in order. Driver path: the writes went through spi_transceive_cb and
%% completed from the controller's callback in interrupt context, the read through
%% spi_transceive.
sync_call_behind_async_transfers() ->
    set_regs(a, 16#30, <<0>>),
    reset(a),
    Isr = isr_path(spi_bus),
    A0 = case Isr of true -> async_counts(spi_bus); false -> {0, 0, 0, 0} end,
    {Refs, Read, Done} = with_delay(spi_bus, 5000, fun() ->
        with_bus([{device_config, [{a, [{cs, 0}]}]}], fun(SPI) ->
            Rs = [begin
                      {ok, Ref} = spi:write_read_async(SPI, a, #{address => 16#30,
                                                                 write_data => <<V>>}),
                      Ref
                  end || V <- lists:seq(1, ?DEPTH)],
            Rd = spi:read_at(SPI, a, 16#B0, 8),
            Dn = [receive {spi_done, R, Res} -> {R, element(1, Res)} after 5000 -> timeout end
                  || R <- Rs],
            {Rs, Rd, Dn}
        end)
    end),
    A = case Isr of true -> diff(async_counts(spi_bus), A0); false -> {0, 0, 0, 0} end,
    WantA = case Isr of true -> {1, ?DEPTH, ?DEPTH, ?DEPTH}; false -> {0, 0, 0, 0} end,
    expect({{ok, ?DEPTH}, [{R, ok} || R <- Refs], ?DEPTH + 1, WantA},
           {Read, Done, counter(a, frames), A}).

%% The register file posing as an LIS3DH from app.overlay alone (`accel', first touched here):
%% its initial registers, read-only ones that ignore the bus's writes (not the device side's),
%% and auto-increment only with address bit 6.
emulated_lis3dh_from_devicetree() ->
    Initial = {regs(accel, 16#0F, 1), regs(accel, 16#20, 4), regs(accel, 16#27, 7)},
    set_regs(accel, 16#26, <<0, 16#0F, 16#00, 16#01>>),
    with_bus([{device_config, [{accel, [{cs, 2}]}]}], fun(SPI) ->
        Id = spi:read_at(SPI, accel, 16#8F, 8),
        W1 = spi:write(SPI, accel, #{address => 16#0F, write_data => <<0>>}),
        Id2 = spi:read_at(SPI, accel, 16#8F, 8),
        %% A burst from REFERENCE (0x26, writable) over STATUS_REG and OUT_X.
        W2 = spi:write(SPI, accel, #{address => 16#40 bor 16#26, write_data => <<16#AA, 1, 2, 3>>}),
        Burst = regs(accel, 16#26, 4),
        %% Without bit 6: one register over and over, written or read.
        W3 = spi:write(SPI, accel, #{address => 16#26, write_data => <<16#11, 16#22, 16#33>>}),
        Single = regs(accel, 16#26, 2),
        R1 = spi:write_read(SPI, accel, #{address => 16#80 bor 16#29, read_bits => 24}),
        R2 = spi:write_read(SPI, accel, #{address => 16#C0 bor 16#26, read_bits => 32}),
        expect({{<<16#33>>, <<16#07, 0, 0, 0>>,
                 <<16#0F, 16#00, 16#01, 16#00, 16#FE, 16#80, 16#3E>>},
                {ok, 16#33}, ok, {ok, 16#33}, ok, <<16#AA, 16#0F, 0, 1>>, ok, <<16#33, 16#0F>>,
                {ok, <<1, 1, 1>>}, {ok, <<16#33, 16#0F, 0, 1>>}},
               {Initial, Id, W1, Id2, W2, Burst, W3, Single, R1, R2})
    end).

%% samples/spi's LIS3DH driver (lis3dh.erl: AtomVM's spi API only), compiled in unchanged,
%% against `accel': WHO_AM_I and the power-on settings from the registers, a configuration
%% written to CTRL_REG1/CTRL_REG4 in the driver's mode and clock, outputs decoded for range and
%% resolution (sign, left justification, sensitivity), data ready, a bad option refused
%% before any transfer, and another device refused as no LIS3DH.
lis3dh_driver_unchanged() ->
    set_regs(accel, 16#20, <<16#07, 0, 0, 0>>),
    set_regs(accel, 16#27, <<16#0F, 16#00, 16#01, 16#00, 16#FE, 16#80, 16#3E>>),
    set_regs(a, 16#0F, <<16#32>>),
    reset(accel),
    Devices = [{accel, [{device, "accel"} | lis3dh:device_options()]}, {a, [{cs, 0}]}],
    with_bus([{device_config, Devices}], fun(SPI) ->
        Id = lis3dh:who_am_i(SPI, accel),
        {ok, S0} = lis3dh:open(SPI, accel),
        T0 = counter(accel, transfers),
        Bad = lis3dh:configure(S0, #{range => 3}),
        T1 = counter(accel, transfers),
        {ok, S1} = lis3dh:configure(S0, #{odr => 100, range => 8}),
        Ctrl1 = regs(accel, 16#20, 4),
        Wire = [proplists:get_value(K, last_config(accel)) || K <- [mode, frequency, slave]],
        %% The devicetree's outputs (0x0100, 0xfe00, 0x3e80), 10 bits at 16 mg.
        A1 = lis3dh:acceleration(S1),
        %% -63 (and 6 low bits the device leaves as noise), 1, 62 in 10 bits.
        set_regs(accel, 16#28, <<16#7F, 16#F0, 16#40, 16#00, 16#80, 16#0F>>),
        A2 = lis3dh:acceleration(S1),
        {ok, S2} = lis3dh:configure(S1, [{resolution, high_resolution}, {range, 16}]),
        Ctrl2 = regs(accel, 16#20, 4),
        %% 12 bits at 12 mg: -249, 4, 248.
        A3 = lis3dh:acceleration(S2),
        Ready = lis3dh:data_ready(S2),
        set_regs(accel, 16#27, <<0>>),
        NotReady = lis3dh:data_ready(S2),
        NotLis = lis3dh:open(SPI, a),
        expect({{ok, 16#33}, #{odr => power_down, range => 2, resolution => normal},
                {error, {badarg, range}}, 0, <<16#57, 0, 0, 16#A0>>, [3, 1000000, 2],
                {ok, {64, -128, 4000}}, {ok, {-1008, 16, 992}}, <<16#57, 0, 0, 16#B8>>,
                #{odr => 100, range => 16, resolution => high_resolution},
                {ok, {-2988, 48, 2976}}, {ok, true}, {ok, false}, {error, {not_lis3dh, 16#32}}},
               {Id, lis3dh:settings(S0), Bad, T1 - T0, Ctrl1, Wire, A1, A2, Ctrl2,
                lis3dh:settings(S2), A3, Ready, NotReady, NotLis})
    end).

%% read_at/write_at values of 64 bits with the top bit set are the bignums they are (on 32-
%% and 64-bit VMs alike), and async references are references. On `b' (read flag bit 6),
%% write_at's address bit 7 leaves a write.
values_of_64_bits() ->
    set_regs(b, 16#20, <<16#FF, 16#EE, 16#DD, 16#CC, 16#BB, 16#AA, 16#99, 16#88>>),
    Got = with_bus(bus_a_b([]), fun(SPI) ->
        {ok, Ref} = spi:write_read_async(SPI, b, #{address => 16#60, read_bits => 8}),
        Done = receive {spi_done, Ref, R} -> R after 5000 -> timeout end,
        [spi:read_at(SPI, b, 16#60, 64),
         spi:write_at(SPI, b, 16#20, 64, -1),
         spi:read_at(SPI, b, 16#60, 64),
         is_reference(Ref),
         Done]
    end),
    expect([{ok, 16#FFEEDDCCBBAA9988}, {ok, 16#5A5A5A5A5A5A5A5A}, {ok, (1 bsl 64) - 1}, true,
            {ok, <<16#FF>>}],
           Got).
