%% SPDX-License-Identifier: Apache-2.0
%%
%% Benchmark of the `audio' port on the I2S emulator (the test port `audio_bench', src/lib.rs,
%% reads the clocks):
%% - stream: 60 s of 48 kHz stereo 16-bit audio from Erlang, as an app streams it (one
%%   play_buffer per block-sized binary, the reply pacing the loop); every frame must be
%%   played with no underrun; prints the VM thread's busy time per second of audio.
%% - cycles (only where emulated time advances with the code: QEMU with icount): cycles from
%%   play_buffer to the block queued in the driver, against the C baseline's i2s_buf_write().
%% Integers only: the numbers are printed without floats.
-module(audio_bench).
-export([start/0]).

-define(RATE, 48000).
-define(FRAME_BYTES, 4).
-define(BLOCK_BYTES, 4096).
-define(SECONDS, 60).
-define(TIMED_BLOCKS, 24).

start() ->
    B = open_port({spawn, "audio_bench"}, []),
    ok = stream(B, ?SECONDS),
    ok = cycles(B, port:call(B, emulated_time_runs)),
    ok = port:call(B, close),
    io:format("audio_bench: done~n").

%% --- stream ---

stream(B, Seconds) ->
    Second = one_second(),
    {ok, A} = audio:open([{sample_rate, ?RATE}, {bits, 16}, {channels, 2}]),
    {ok, Busy0} = port:call(B, busy_ns),
    ok = play_seconds(A, Second, Seconds),
    ok = audio:drain(A),
    {ok, Busy1} = port:call(B, busy_ns),
    {stats, S} = audio:get_stats(A),
    ok = audio:close(A),
    Played = proplists:get_value(played_frames, S),
    Underruns = proplists:get_value(underruns, S),
    io:format("stream: ~b s of ~b Hz stereo 16-bit in ~b-byte binaries: "
              "played frames ~b of ~b, underruns ~b~n",
              [Seconds, ?RATE, ?BLOCK_BYTES, Played, Seconds * ?RATE, Underruns]),
    PerSecondNs = (Busy1 - Busy0) div Seconds,
    io:format("stream: VM thread busy ~b us per second of audio (~s % of one core)~n",
              [PerSecondNs div 1000, fixed2(PerSecondNs div 100000)]).

play_seconds(_A, _Second, 0) ->
    ok;
play_seconds(A, Second, N) ->
    ok = play_all(A, Second),
    play_seconds(A, Second, N - 1).

play_all(_A, []) -> ok;
play_all(A, [Bin | Rest]) ->
    ok = audio:play_buffer(A, Bin),
    play_all(A, Rest).

%% One second of a 440 Hz sawtooth at a quarter of full scale, in block-sized binaries (the
%% last one shorter: 48000 frames are not a whole number of 1024-frame blocks).
one_second() ->
    PerBlock = ?BLOCK_BYTES div ?FRAME_BYTES,
    [chunk(First, min(First + PerBlock, ?RATE)) || First <- lists:seq(0, ?RATE - 1, PerBlock)].

chunk(First, End) ->
    list_to_binary([frame(I) || I <- lists:seq(First, End - 1)]).

frame(I) ->
    S = ((I * 440 * 65536 div ?RATE) band 16#FFFF - 32768) div 4,
    <<S:16/little-signed, S:16/little-signed>>.

%% --- cycles ---

cycles(_B, false) ->
    io:format("cycles: not measured here (emulated time stands still while code runs)~n");
cycles(B, true) ->
    Block = chunk(0, ?BLOCK_BYTES div ?FRAME_BYTES),
    {ok, A} = audio:open([{sample_rate, ?RATE}, {bits, 16}, {channels, 2},
                          {block_size, ?BLOCK_BYTES}, {block_count, ?TIMED_BLOCKS + 8}]),
    %% From the clock read before the first play_buffer to the last block queued, over
    %% ?TIMED_BLOCKS blocks: the clock call's own cost is spread over all of them.
    {ok, T0} = port:call(B, cycles),
    ok = play_all(A, lists:duplicate(?TIMED_BLOCKS, Block)),
    {ok, Tq} = port:call(B, last_write),
    Ours = wrap(Tq - T0) div ?TIMED_BLOCKS,
    {stats, S} = audio:get_stats(A),
    ok = audio:stop(A),
    ok = audio:close(A),
    0 = proplists:get_value(underruns, S),
    {ok, C} = port:call(B, {c_baseline, ?BLOCK_BYTES, ?TIMED_BLOCKS}),
    Baseline = lists:foldl(fun erlang:'+'/2, 0, C) div ?TIMED_BLOCKS,
    %% What any port:call costs on the VM: consecutive calls that only read the clock.
    {ok, C0} = port:call(B, cycles),
    {ok, Cn} = lists:foldl(fun(_, _) -> port:call(B, cycles) end, ok,
                           lists:seq(1, ?TIMED_BLOCKS)),
    Call = wrap(Cn - C0) div ?TIMED_BLOCKS,
    {ok, Hz} = port:call(B, cycles_per_sec),
    io:format("cycles per ~b-byte block (48 kHz stereo 16-bit), mean of ~b, ~b Hz counter:~n",
              [?BLOCK_BYTES, ?TIMED_BLOCKS, Hz]),
    io:format("  play_buffer from Erlang to the block queued ~8b~n", [Ours]),
    io:format("  C i2s_buf_write to the block queued         ~8b~n", [Baseline]),
    io:format("  an empty port:call round trip               ~8b~n", [Call]),
    io:format("ratio play_buffer / i2s_buf_write: ~s~n", [fixed2(Ours * 100 div Baseline)]),
    io:format("ratio (play_buffer - empty port:call) / i2s_buf_write: ~s~n",
              [fixed2(max(Ours - Call, 0) * 100 div Baseline)]).

wrap(Cycles) -> Cycles band 16#FFFFFFFF.

%% N hundredths as "I.FF".
fixed2(N) ->
    io_lib:format("~b.~2..0b", [N div 100, N rem 100]).
