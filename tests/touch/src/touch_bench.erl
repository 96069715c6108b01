%% SPDX-License-Identifier: Apache-2.0
%%
%% Benchmark of the `touch' port on native_sim, in one image, side by side:
%%  - driver: INT (raised in interrupt context) -> wait-free queue -> drain thread -> Rust
%%    FT5x06 read over I2C -> event ring -> {touch_events, _} to the subscriber;
%%  - input:  INT -> Zephyr's ft5336 input driver (work item, I2C read, input_report) ->
%%    input thread -> input bridge -> the same drain thread, ring and delivery.
%% Latency: INT raised -> message received by this process (host wall clock, with the cost
%% of the port call that reads it reported separately). Rate: a k_timer raises INT every P
%% microseconds, each time with the contact moved, ?FLOOD times; a run counts if every move
%% arrived as an event (none coalesced or dropped) at the default depths, and its rate is
%% ?FLOOD over the wall time from the first raise to the last event received. native_sim's
%% clock stands still while threads compute, so with P shorter than the work per event the
%% interrupts come back to back and the rate is what the path sustains: the median of
%% ?REPEATS such runs per path, interleaved.
-module(touch_bench).
-export([start/0]).

-define(WARMUP, 20).
-define(SAMPLES, 300).
-define(FLOOD, 256).
-define(PATHS, [{main, touch_port}, {bridge, touch_input}]).
-define(SWEEP, [1000, 250, 64]).
%% Shorter than either path's work per event: the interrupts come back to back.
-define(BACK_TO_BACK, 16).
-define(REPEATS, 5).

start() ->
    E = open_port({spawn, "touch_emul"}, []),
    Overhead = median([call_overhead(E) || _ <- lists:seq(1, ?SAMPLES)]),
    LD = latency(E, main, touch_port),
    LI = latency(E, bridge, touch_input),
    io:format("BENCH latency port call overhead: median ~s us~n", [us(Overhead)]),
    report_latency("driver", LD),
    report_latency("input", LI),
    io:format("BENCH latency median driver/input x1000: ~p~n",
              [median(LD) * 1000 div max(1, median(LI))]),
    {RD, RI} = rates(E),
    io:format("BENCH rate sustained, zero loss: driver ~p events/s, input ~p events/s, "
              "driver/input x1000: ~p~n", [RD, RI, RD * 1000 div max(1, RI)]),
    port:call(E, close),
    io:format("touch bench: done~n"),
    ok.

%% One gen_call round trip (mark, then read the time since).
call_overhead(E) ->
    ok = port:call(E, bench_mark),
    port:call(E, bench_since).

latency(E, Target, Device) ->
    {ok, P} = touch:open([{device, Device}]),
    ok = touch:subscribe(P),
    ok = port:call(E, {bench_raise, Target, 10, down}),
    1 = wait_events(1),
    Ns = [sample(E, Target, 11 + I rem 2) || I <- lists:seq(1, ?WARMUP + ?SAMPLES)],
    lift(E, Target),
    1 = wait_events(1),
    {stats, 0} = touch:get_stats(P),
    ok = touch:close(P),
    lists:nthtail(?WARMUP, Ns).

sample(E, Target, X) ->
    ok = port:call(E, {bench_raise, Target, X, move}),
    1 = wait_events(1),
    port:call(E, bench_since).

lift(E, Target) ->
    ok = port:call(E, {set_points, Target, []}),
    ok = port:call(E, {raise_int, Target}).

report_latency(Name, Ns) ->
    S = lists:sort(Ns),
    io:format("BENCH latency ~s: n ~p, min ~s us, median ~s us, p90 ~s us, max ~s us~n",
              [Name, length(S), us(hd(S)), us(pct(S, 50)), us(pct(S, 90)), us(lists:last(S))]).

%% Floods at a few periods (zero loss expected), then ?REPEATS back-to-back floods of each path,
%% interleaved so both see the same machine; returns the median rate of each, 0 for a run
%% that lost a move.
rates(E) ->
    _ = [flood_rate(E, Path, P) || P <- ?SWEEP, Path <- ?PATHS],
    Runs = [[flood_rate(E, Path, ?BACK_TO_BACK) || Path <- ?PATHS]
            || _ <- lists:seq(1, ?REPEATS)],
    {median([D || [D, _] <- Runs]), median([I || [_, I] <- Runs])}.

flood_rate(E, {Target, Device}, Period) ->
    {Raised, Got, Dropped, Ns} = flood(E, Target, Device, Period),
    Rate = ?FLOOD * 1000000000 div max(1, Ns),
    io:format("BENCH rate ~s period ~p us: raised ~p, received ~p, ring dropped ~p, "
              "~s us, ~p events/s~n",
              [name(Target), Period, Raised, Got, Dropped, us(Ns), Rate]),
    case Got =:= ?FLOOD andalso Raised =:= ?FLOOD andalso Dropped =:= 0 of
        true -> Rate;
        false -> 0
    end.

flood(E, Target, Device, Period) ->
    {ok, P} = touch:open([{device, Device}]),
    ok = touch:subscribe(P),
    ok = port:call(E, bench_mark),
    ok = port:call(E, {flood, Target, ?FLOOD, Period}),
    Got = wait_events(?FLOOD),
    Ns = port:call(E, bench_since),
    {ok, Raised, done} = port:call(E, flood_status),
    {stats, Dropped} = touch:get_stats(P),
    ok = touch:close(P),
    flush(),
    lift(E, Target),
    {Raised, Got, Dropped, Ns}.

%% Events received until N came or 300 ms passed without any.
wait_events(N) ->
    wait_events(N, 0).

wait_events(N, Got) when Got >= N -> Got;
wait_events(N, Got) ->
    receive
        {touch_events, L} -> wait_events(N, Got + length(L))
    after 300 -> Got
    end.

flush() ->
    receive
        {touch_events, _} -> flush()
    after 50 -> ok
    end.

name(main) -> "driver";
name(bridge) -> "input".

median(L) -> pct(lists:sort(L), 50).

pct(Sorted, P) ->
    lists:nth(max(1, (length(Sorted) * P + 99) div 100), Sorted).

%% Nanoseconds as microseconds with one decimal.
us(Ns) ->
    Tenths = Ns div 100,
    integer_to_list(Tenths div 10) ++ "." ++ integer_to_list(Tenths rem 10).
