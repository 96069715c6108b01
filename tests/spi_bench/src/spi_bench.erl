%% SPDX-License-Identifier: Apache-2.0
%%
%% Benchmark of the `spi' port on the SPI register file (src/emul/spi_regs_emul.c), on QEMU
%% with icount, where the cycle counter counts emulated instructions: deterministic. In one
%% image, on the same device with the same spi_config, three paths do the same transfers:
%% - C calling spi_transceive() directly (src/bench.c, through the test port `spi_bench');
%% - the C AtomVM port `spi_c' (src/spi_c_port.c), written like AtomVM's ESP32 SPI driver,
%%   called with the same spi:write_read/3 and spi:write/3 (they are port:call()s);
%% - the `spi' port: write_read/3 (sync), write_read_async/3 until its spi_done, one at a
%%   time and with ?IN_FLIGHT in flight, and write/3.
%% A 4-byte write_read is a register read: the address with bit 7 set, then 3 bytes while the
%% device answers with 3 registers the benchmark wrote first. Before and after each figure the
%% register file's counters and the spi_config of its last transfer are read: each path must
%% have done exactly its transfers and bytes, none failed, all with the C baseline's
%% spi_config, and every answer must be the registers' contents. The clock is read through
%% `spi_bench' (a port:call); the figures from Erlang subtract one empty port:call round trip
%% (what reading the clock around the loop adds). The clock is a hardware timer, not the
%% SysTick cycle count, which loses time while the register file holds its spinlock for a
%% long transfer (see src/bench.c). Integers only: printed without floats.
-module(spi_bench).
-export([start/0]).

-define(N, 200).
-define(IN_FLIGHT, 8).
-define(WRITE_BYTES, 4096).
-define(WRITES, 10).
-define(REG, 16#10).

params() ->
    [{bus_config, [{peripheral, "spi_bus"}]},
     {device_config,
      [{regs, [{cs, 0}, {clock_speed_hz, 1000000}, {mode, 0},
               {address_len_bits, 0}, {command_len_bits, 0}]}]}].

start() ->
    B = open_port({spawn, "spi_bench"}, []),
    ok = run(B, port:call(B, emulated_time_runs)),
    ok = port:call(B, close),
    io:format("spi_bench: done~n").

run(_B, false) ->
    io:format("cycles: not measured here (emulated time stands still while code runs)~n");
run(B, true) ->
    {ok, Hz} = port:call(B, cycles_per_sec),
    {ok, Measured} = port:call(B, measured_hz),
    true = abs(Measured - Hz) < Hz div 100,
    SPI = spi:open(params()),
    C = open_port({spawn, "spi_c"}, params()),
    %% The registers the reads answer with, written through the port.
    ok = spi:write(SPI, regs, #{write_data => <<?REG, 16#A5, 16#5A, 16#C3>>}),
    Txn = #{write_data => <<(16#80 bor ?REG), 0, 0, 0>>},
    {ok, <<_, 16#A5, 16#5A, 16#C3>> = Answer} = spi:write_read(SPI, regs, Txn),
    {ok, Answer} = spi:write_read(C, regs, Txn),
    Call = empty_call(B),
    CCall = empty_c_call(B, C, Call),

    %% 4-byte write_read, N of each.
    {Direct, Config} = c_write_read(B, Answer),
    CPort = erlang_path(B, Call, ?N, 4, Config, fun() -> sync(C, Txn, Answer, ?N) end),
    Sync = erlang_path(B, Call, ?N, 4, Config, fun() -> sync(SPI, Txn, Answer, ?N) end),
    Async = erlang_path(B, Call, ?N, 4, Config, fun() -> async_one(SPI, Txn, Answer, ?N) end),
    Piped = erlang_path(B, Call, ?N, 4, Config,
                        fun() -> async_piped(SPI, Txn, Answer, ?N, ?IN_FLIGHT) end),

    %% 4096-byte writes: register 0x20 on, then I band 255 (what src/bench.c writes).
    Big = list_to_binary([16#20 | [I band 255 || I <- lists:seq(1, ?WRITE_BYTES - 1)]]),
    WTxn = #{write_data => Big},
    WDirect = c_write(B, Config),
    WCPort = erlang_path(B, Call, ?WRITES, ?WRITE_BYTES, Config,
                         fun() -> writes(C, WTxn, ?WRITES) end),
    WSpi = erlang_path(B, Call, ?WRITES, ?WRITE_BYTES, Config,
                       fun() -> writes(SPI, WTxn, ?WRITES) end),

    ok = spi:close(C),
    ok = spi:close(SPI),
    {Op, Freq, Slave} = Config,
    io:format("spi_bench: clock timer0 at ~b Hz (~b measured against the system clock); "
              "~b transfers per 4-byte figure, ~b per 4096-byte one~n",
              [Hz, Measured, ?N, ?WRITES]),
    io:format("every path: ~b transfers each on the register file, ~b bytes each, none failed, "
              "spi_config operation 0x~s, ~b Hz, chip select ~b; every answer ~p~n",
              [?N, 4, integer_to_list(Op, 16), Freq, Slave, Answer]),
    io:format("cycles per 4-byte write_read (a register read), mean of ~b:~n", [?N]),
    row("C spi_transceive", Direct, Direct),
    row("C AtomVM port as ESP32's spi_driver (spi_c)", CPort, Direct),
    row("spi:write_read (sync)", Sync, Direct),
    row("spi:write_read_async until its spi_done", Async, Direct),
    row(io_lib:format("spi:write_read_async, ~b in flight", [?IN_FLIGHT]), Piped, Direct),
    row("an empty port:call round trip (Rust port)", Call, Direct),
    row("an empty port:call round trip (C port)", CCall, Direct),
    row("spi:write_read - empty Rust port:call", max(Sync - Call, 0), Direct),
    row("spi_c - empty C port:call", max(CPort - CCall, 0), Direct),
    io:format("ratio spi:write_read / spi_c: ~s~n", [fixed2(Sync * 100 div CPort)]),
    io:format("~b-byte write, mean of ~b: cycles, bytes per second of emulated time, ratio:~n",
              [?WRITE_BYTES, ?WRITES]),
    wrow("C spi_transceive", WDirect, WDirect, Hz),
    wrow("C AtomVM port (spi_c), spi:write", WCPort, WDirect, Hz),
    wrow("spi:write", WSpi, WDirect, Hz),
    ok.

%% --- the paths ---

sync(_Dev, _Txn, _Answer, 0) ->
    ok;
sync(Dev, Txn, Answer, N) ->
    {ok, Answer} = spi:write_read(Dev, regs, Txn),
    sync(Dev, Txn, Answer, N - 1).

async_one(_SPI, _Txn, _Answer, 0) ->
    ok;
async_one(SPI, Txn, Answer, N) ->
    {ok, Ref} = spi:write_read_async(SPI, regs, Txn),
    {ok, Answer} = done(Ref),
    async_one(SPI, Txn, Answer, N - 1).

%% N transfers, K in flight: each completion (in submission order) makes room for the next.
async_piped(SPI, Txn, Answer, N, K) ->
    First = [submit(SPI, Txn) || _ <- lists:seq(1, min(K, N))],
    piped(SPI, Txn, Answer, N - length(First), First).

piped(_SPI, _Txn, _Answer, 0, []) ->
    ok;
piped(SPI, Txn, Answer, Left, [Ref | Refs]) ->
    {ok, Answer} = done(Ref),
    case Left of
        0 -> piped(SPI, Txn, Answer, 0, Refs);
        _ -> piped(SPI, Txn, Answer, Left - 1, Refs ++ [submit(SPI, Txn)])
    end.

submit(SPI, Txn) ->
    {ok, Ref} = spi:write_read_async(SPI, regs, Txn),
    Ref.

done(Ref) ->
    receive
        {spi_done, Ref, Result} -> Result
    after 5000 -> error({no_spi_done, Ref})
    end.

writes(_Dev, _Txn, 0) ->
    ok;
writes(Dev, Txn, N) ->
    ok = spi:write(Dev, regs, Txn),
    writes(Dev, Txn, N - 1).

%% --- measuring ---

%% What any port:call costs on the VM: consecutive calls that only read the clock.
empty_call(B) ->
    {ok, C0} = port:call(B, cycles),
    {ok, Cn} = clock_calls(B, ?N, none),
    wrap(Cn - C0) div ?N.

clock_calls(_B, 0, Last) ->
    Last;
clock_calls(B, N, _) ->
    clock_calls(B, N - 1, port:call(B, cycles)).

%% The same through the C port: a request it answers at once ({error, unknown_command}).
empty_c_call(B, C, Call) ->
    {ok, T0} = port:call(B, cycles),
    ok = c_calls(C, ?N),
    {ok, T1} = port:call(B, cycles),
    max(wrap(T1 - T0) - Call, 0) div ?N.

c_calls(_C, 0) ->
    ok;
c_calls(C, N) ->
    {error, unknown_command} = port:call(C, noop),
    c_calls(C, N - 1).

c_write_read(B, Answer) ->
    {ok, D0, _} = port:call(B, device),
    {ok, Cycles, Answer} = port:call(B, {c_write_read, ?N, ?REG}),
    {ok, D1, Config} = port:call(B, device),
    ok = did(D0, D1, ?N, 4),
    {Cycles div ?N, Config}.

c_write(B, Config) ->
    {ok, D0, _} = port:call(B, device),
    {ok, Cycles} = port:call(B, {c_write, ?WRITE_BYTES, ?WRITES}),
    {ok, D1, Config} = port:call(B, device),
    ok = did(D0, D1, ?WRITES, ?WRITE_BYTES),
    Cycles div ?WRITES.

%% Cycles per transfer of Fun's N transfers of Bytes each, which must reach the device with
%% the baseline's spi_config; the clock reads' own round trip subtracted.
erlang_path(B, Call, N, Bytes, Config, Fun) ->
    {ok, D0, _} = port:call(B, device),
    {ok, T0} = port:call(B, cycles),
    ok = Fun(),
    {ok, T1} = port:call(B, cycles),
    {ok, D1, Config} = port:call(B, device),
    ok = did(D0, D1, N, Bytes),
    max(wrap(T1 - T0) - Call, 0) div N.

did({T0, B0, F0}, {T1, B1, F1}, N, Bytes) ->
    {N, 0} = {T1 - T0, F1 - F0},
    Total = N * Bytes,
    Total = B1 - B0,
    ok.

%% --- printing ---

row(Name, Cycles, Base) ->
    io:format("  ~s ~9b ~s~n", [pad(Name, 48), Cycles, fixed2(Cycles * 100 div Base)]).

wrow(Name, Cycles, Base, Hz) ->
    io:format("  ~s ~9b ~9b ~s~n",
              [pad(Name, 48), Cycles, ?WRITE_BYTES * Hz div Cycles,
               fixed2(Cycles * 100 div Base)]).

pad(Name, Width) ->
    Flat = lists:flatten(Name),
    Flat ++ lists:duplicate(max(Width - length(Flat), 0), $\s).

wrap(Cycles) -> Cycles band 16#FFFFFFFF.

%% N hundredths as "I.FF".
fixed2(N) ->
    io_lib:format("~b.~2..0b", [N div 100, N rem 100]).
