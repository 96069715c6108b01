%% SPDX-License-Identifier: Apache-2.0
%%
%% The `audio' port (src/ports/audio) on the VM against the module's I2S emulators and
%% emulated codec: `speaker' (the chosen node, with the codec) and `line_out' (no codec, volume
%% in software). What the emulators played is read back through the test port `audio_emul'
%% (src/lib.rs). Every bad input must give {error, _} and leave the VM running. Every wait
%% has a timeout that fails the case; the port's own waits end with drain/1.
-module(audio_test).
-export([start/0]).

-import(avm_test, [check/2, expect/2]).

start() ->
    Result = avm_test:run("audio", cases()),
    %% Left playing on purpose, with a call waiting for blocks: stopping the VM must drop the
    %% port and get every slab block back (checked from Rust).
    {ok, P} = audio:open([{block_size, 1024}, {block_count, 2}]),
    unlink(P),
    _ = call_async(P, {play_buffer, pattern(7, 16384)}),
    {counters, _} = audio:get_counters(P),
    Result.

cases() ->
    [
        fun captured_equals_sent_16_bit_stereo/0,
        fun captured_equals_sent_other_formats/0,
        fun volume_on_the_codec/0,
        fun volume_in_software/0,
        fun underrun_counted_when_feeding_stops/0,
        fun stop_mid_stream/0,
        fun replies_in_order_under_backpressure/0,
        fun bad_open_options/0,
        fun bad_commands/0,
        fun blocks_back_after_close/0,
        fun blocks_back_after_kill/0
    ].

%% --- helpers ---

emul(Request) ->
    E = open_port({spawn, "audio_emul"}, []),
    R = port:call(E, Request),
    ok = port:call(E, close),
    R.

capture(Which) ->
    {ok, Bin} = emul({capture, Which}),
    Bin.

reset(Which) ->
    ok = emul({capture_reset, Which}).

counter(Which, Key) ->
    {ok, C} = emul({counters, Which}),
    proplists:get_value(Key, C).

codec() ->
    {ok, C} = emul(codec),
    C.

block_counts() ->
    {ok, Taken, Returned} = emul(block_counts),
    {Taken, Returned}.

%% Waits (up to 3 s, then fails the case) until every block taken since {T0, R0} is back:
%% the port gives its blocks to the reclaim thread when it closes, which counts them back as
%% the driver frees them. Returns {Taken, Returned} since then.
blocks_back(T0, R0) -> blocks_back(T0, R0, 300).

blocks_back(T0, R0, Tries) ->
    {T1, R1} = block_counts(),
    case T1 - T0 =:= R1 - R0 of
        true -> {T1 - T0, R1 - R0};
        false when Tries > 0 ->
            receive after 10 -> ok end,
            blocks_back(T0, R0, Tries - 1);
        false -> throw({blocks_not_back, T1 - T0, R1 - R0})
    end.

port_counter(P, Key) ->
    {counters, C} = audio:get_counters(P),
    proplists:get_value(Key, C).

stat(P, Key) ->
    {stats, S} = audio:get_stats(P),
    proplists:get_value(Key, S).

%% The gen_call port:call/2 sends, without waiting: the reply comes as {Ref, Reply}.
call_async(Port, Request) ->
    Ref = make_ref(),
    Port ! {'$call', {self(), Ref}, Request},
    Ref.

%% `Len' bytes that depend on `Seed' (no two neighbouring frames alike).
pattern(Seed, Len) ->
    list_to_binary([(I * 73 + Seed * 29 + (I bsr 8)) band 255 || I <- lists:seq(1, Len)]).

%% `ok' when the binaries are equal, else where they first differ (not the whole binaries).
same(Want, Got) when Want =:= Got -> ok;
same(Want, Got) ->
    {differ, {sizes, byte_size(Want), byte_size(Got)}, {first_difference, first_diff(Want, Got, 0)}}.

first_diff(<<A, RestA/binary>>, <<A, RestB/binary>>, N) -> first_diff(RestA, RestB, N + 1);
first_diff(_, _, N) -> N.

%% 16-bit little-endian samples as a binary, and back.
s16(Samples) -> list_to_binary([<<S:16/little-signed>> || S <- Samples]).
samples16(<<S:16/little-signed, Rest/binary>>) -> [S | samples16(Rest)];
samples16(<<>>) -> [].

await_down(P) ->
    Ref = erlang:monitor(port, P),
    receive
        {'DOWN', Ref, port, P, _} -> ok
    after 5000 -> throw({timeout, port_down, P})
    end.

%% --- cases ---

%% Binaries of odd sizes (whole frames, not whole blocks) come out of the I2S emulator bit for
%% bit, in order, across block boundaries.
captured_equals_sent_16_bit_stereo() ->
    reset(speaker),
    {ok, P} = audio:open([{sample_rate, 48000}, {bits, 16}, {channels, 2},
                          {block_size, 1024}, {block_count, 4}]),
    Sizes = [4, 1020, 1028, 1332, 8, 4000, 2044, 3072],
    Bins = [pattern(I, Len) || {I, Len} <- lists:zip(lists:seq(1, length(Sizes)), Sizes)],
    Replies = [audio:play_buffer(P, B) || B <- Bins],
    Drained = audio:drain(P),
    Got = capture(speaker),
    Dropped = counter(speaker, capture_dropped),
    ok = audio:close(P),
    case expect({[ok || _ <- Bins], ok, 0}, {Replies, Drained, Dropped}) of
        ok -> same(iolist_to_binary(Bins), Got);
        Other -> Other
    end.

%% 32-bit mono at 16 kHz and 24-bit stereo at 44.1 kHz on the line out, full volume: copied
%% unchanged too.
captured_equals_sent_other_formats() ->
    Run = fun(Opts, Frame, Frames) ->
        reset(line_out),
        {ok, P} = audio:open([{device, line_out}, {block_size, Frame * 100} | Opts]),
        Bins = [pattern(N, Frame * N) || N <- Frames],
        Replies = [audio:play_buffer(P, B) || B <- Bins],
        ok = audio:drain(P),
        Got = capture(line_out),
        ok = audio:close(P),
        case expect([ok || _ <- Bins], Replies) of
            ok -> same(iolist_to_binary(Bins), Got);
            Other -> Other
        end
    end,
    A = Run([{sample_rate, 16000}, {bits, 32}, {channels, 1}], 4, [1, 99, 101, 250, 3]),
    B = Run([{sample_rate, 44100}, {bits, 24}, {channels, 2}], 8, [37, 100, 163, 1]),
    expect({ok, ok}, {A, B}).

%% With a codec the volume goes to it (0 also mutes), and the samples are not scaled.
volume_on_the_codec() ->
    reset(speaker),
    {ok, P} = audio:open([{sample_rate, 32000}, {bits, 16}, {channels, 2}]),
    Opened = codec(),
    ok = audio:set_volume(P, 100),
    V100 = codec(),
    ok = audio:set_volume(P, 0),
    V0 = codec(),
    ok = audio:set_volume(P, 200),
    V200 = codec(),
    Bin = pattern(3, 4096),
    ok = audio:play_buffer(P, Bin),
    ok = audio:drain(P),
    Got = capture(speaker),
    ok = audio:close(P),
    Closed = codec(),
    Get = fun(K, C) -> proplists:get_value(K, C) end,
    case expect({true, 32000, 16, 2, 100, false, true, 200, false, false},
                {Get(configured, Opened), Get(rate, Opened), Get(bits, Opened),
                 Get(channels, Opened), Get(volume, V100), Get(muted, V100), Get(muted, V0),
                 Get(volume, V200), Get(muted, V200), Get(started, Closed)}) of
        ok -> same(Bin, Got);
        Other -> Other
    end.

%% Without a codec the samples are scaled by Volume / 255, truncated towards zero.
volume_in_software() ->
    reset(line_out),
    {ok, P} = audio:open([{device, line_out}, {bits, 16}, {channels, 2},
                          {block_size, 256}]),
    Samples = [0, 1, -1, 254, -255, 1000, -1000, 32767, -32768, 12345, -12345, 77],
    Scaled = fun(V) -> [S * V div 255 || S <- Samples] end,
    Play = fun(V) ->
        ok = audio:set_volume(P, V),
        ok = audio:play_buffer(P, s16(Samples)),
        ok = audio:drain(P),
        samples16(capture(line_out))
    end,
    Got = [Play(V) || V <- [128, 255, 1, 0]],
    ok = audio:close(P),
    expect([Scaled(128), Samples, Scaled(1), Scaled(0)], Got).

%% A stream that runs dry is an underrun: counted by the port and the emulator, told to
%% subscribers, and the next binaries start it again.
underrun_counted_when_feeding_stops() ->
    reset(speaker),
    {ok, P} = audio:open([{block_size, 1024}, {block_count, 4}]),
    ok = audio:subscribe(P),
    U0 = stat(P, underruns),
    ok = audio:play_buffer(P, pattern(1, 3072)),
    Event = receive {audio, P, underrun} -> underrun after 5000 -> timeout end,
    U1 = stat(P, underruns),
    Emul = counter(speaker, underruns),
    %% Playing again works.
    Bin = pattern(2, 2048),
    ok = audio:play_buffer(P, Bin),
    ok = audio:drain(P),
    Drained = receive {audio, P, drained} -> drained after 5000 -> timeout end,
    Got = capture(speaker),
    ok = audio:close(P),
    case expect({0, underrun, 1, drained}, {U0, Event, U1, Drained}) of
        ok ->
            case check(Emul >= 1, {emulator_underruns, Emul}) of
                ok -> same(<<(pattern(1, 3072))/binary, Bin/binary>>, Got);
                Other -> Other
            end;
        Other -> Other
    end.

%% `stop' in the middle: what is queued is dropped, the waiting call gets {error, stopped},
%% what was played is a prefix of what was sent, and the port plays again afterwards.
stop_mid_stream() ->
    reset(speaker),
    {ok, P} = audio:open([{sample_rate, 8000}, {block_size, 1024}, {block_count, 2}]),
    Long = pattern(5, 32768),
    Ref = call_async(P, {play_buffer, Long}),
    Waiting = port_counter(P, deferred),
    Stopped = audio:stop(P),
    Reply = receive {Ref, R} -> R after 5000 -> timeout end,
    Played = capture(speaker),
    Again = pattern(6, 2048),
    ok = audio:play_buffer(P, Again),
    ok = audio:drain(P),
    After = capture(speaker),
    %% Drained: every block is back in the port.
    Free = {port_counter(P, free_blocks), port_counter(P, block_count), stat(P, queued_blocks)},
    ok = audio:close(P),
    PrefixLen = byte_size(Played),
    case expect({1, ok, {error, stopped}, {2, 2, 0}}, {Waiting, Stopped, Reply, Free}) of
        ok ->
            case check(PrefixLen < byte_size(Long), {played_all, PrefixLen}) of
                ok ->
                    case same(binary:part(Long, 0, PrefixLen), Played) of
                        ok -> same(Again, After);
                        Other -> Other
                    end;
                Other -> Other
            end;
        Other -> Other
    end.

%% Five processes, each with a binary three times the slab: the replies wait for blocks and
%% come back in request order, and the audio is played in that order.
replies_in_order_under_backpressure() ->
    reset(speaker),
    {ok, P} = audio:open([{block_size, 512}, {block_count, 2}]),
    Parent = self(),
    Bins = [pattern(I, 1536) || I <- lists:seq(1, 5)],
    Callers = [spawn(fun() ->
                   Ref = call_async(P, {play_buffer, B}),
                   Parent ! {sent, self()},
                   receive {Ref, R} -> Parent ! {done, I, R}
                   after 10000 -> Parent ! {done, I, timeout}
                   end
               end) || {I, B} <- lists:zip(lists:seq(1, 5), Bins)],
    [receive {sent, C} -> ok after 2000 -> throw({timeout, sent}) end || C <- Callers],
    Waiting = port_counter(P, deferred),
    Done = [receive {done, I, R} -> {I, R} after 10000 -> throw({timeout, done}) end
            || _ <- Callers],
    ok = audio:drain(P),
    Got = capture(speaker),
    HighWater = stat(P, high_water),
    ok = audio:close(P),
    case expect({[{I, ok} || I <- lists:seq(1, 5)], true, 2},
                {Done, Waiting >= 1, HighWater}) of
        ok -> same(iolist_to_binary(Bins), Got);
        Other -> Other
    end.

bad_open_options() ->
    Cases = [
        {[{sample_rate, 12345}], {out_of_range, sample_rate}},
        {[{sample_rate, 1 bsl 70}], {out_of_range, sample_rate}},
        {[{sample_rate, fast}], {badarg, sample_rate}},
        {[{bits, 20}], {out_of_range, bits}},
        {[{bits, 8}], {out_of_range, bits}},
        {[{bits, "16"}], {badarg, bits}},
        {[{channels, 3}], {out_of_range, channels}},
        {[{block_size, 1022}], {out_of_range, block_size}},
        {[{block_size, 0}], {out_of_range, block_size}},
        {[{block_count, 1}], {out_of_range, block_count}},
        {[{block_count, 1000}], {out_of_range, block_count}},
        {[{device, nope}], no_device},
        {[{speed, 1}], unknown_option},
        {not_options, badarg}
    ],
    Got = [audio:open(Opts) || {Opts, _} <- Cases],
    Wrong = mismatches(1, [{error, Reason} || {_, Reason} <- Cases], Got),
    %% One port per output at a time.
    {ok, P} = audio:open(),
    Busy = audio:open([{device, speaker}]),
    {ok, Q} = audio:open([{device, line_out}]),
    ok = audio:close(Q),
    ok = audio:close(P),
    expect({[], {error, busy}}, {Wrong, Busy}).

mismatches(_, [], []) -> [];
mismatches(N, [W | Ws], [W | Gs]) -> mismatches(N + 1, Ws, Gs);
mismatches(N, [W | Ws], [G | Gs]) -> [{N, W, G} | mismatches(N + 1, Ws, Gs)].

bad_commands() ->
    {ok, P} = audio:open([{bits, 16}, {channels, 2}]),
    Huge = binary:copy(<<0, 0, 0, 0>>, 65536 div 4 + 1),
    Got = [
        audio:play_buffer(P, <<1, 2, 3>>),
        audio:play_buffer(P, <<1, 2, 3, 4, 5, 6>>),
        audio:play_buffer(P, "a list"),
        audio:play_buffer(P, 42),
        audio:play_buffer(P, Huge),
        audio:set_volume(P, 256),
        audio:set_volume(P, -1),
        audio:set_volume(P, loud),
        port:call(P, {play_buffer}),
        port:call(P, {play_buffer, <<>>, extra}),
        port:call(P, frobnicate),
        port:call(P, 42)
    ],
    %% Nothing of it reached the driver, and the port still plays.
    Queued = stat(P, queued_blocks),
    ok = audio:play_buffer(P, pattern(1, 1024)),
    ok = audio:drain(P),
    ok = audio:close(P),
    Want = [{error, not_whole_frames}, {error, not_whole_frames}, {error, badarg},
            {error, badarg}, {error, too_large}, {error, out_of_range}, {error, out_of_range},
            {error, badarg}, {error, badarg}, {error, badarg}, {error, unknown_command},
            {error, badarg}],
    expect({Want, 0}, {Got, Queued}).

%% Closing while blocks are queued and a call waits: the call gets {error, closed}, every
%% block comes back, the codec's output stops, and the output can be opened again.
blocks_back_after_close() ->
    {T0, R0} = block_counts(),
    {ok, P} = audio:open([{block_size, 1024}, {block_count, 2}]),
    Ref = call_async(P, {play_buffer, pattern(9, 16384)}),
    Waiting = port_counter(P, deferred),
    ok = audio:close(P),
    Reply = receive {Ref, R} -> R after 5000 -> timeout end,
    Back = blocks_back(T0, R0),
    Started = proplists:get_value(started, codec()),
    {ok, Q} = audio:open(),
    ok = audio:close(Q),
    expect({1, {error, closed}, false, {2, 2}}, {Waiting, Reply, Started, Back}).

%% The same when the port is killed (its owner died, say).
blocks_back_after_kill() ->
    {T0, R0} = block_counts(),
    {ok, P} = audio:open([{device, line_out}, {block_size, 1024}, {block_count, 2}]),
    unlink(P),
    _ = call_async(P, {play_buffer, pattern(9, 16384)}),
    1 = port_counter(P, deferred),
    exit(P, kill),
    ok = await_down(P),
    Back = blocks_back(T0, R0),
    {ok, Q} = audio:open([{device, line_out}]),
    ok = audio:close(Q),
    {T1, _} = block_counts(),
    %% The reopened port's two blocks too.
    _ = blocks_back(T0, R0),
    expect({{2, 2}, true}, {Back, T1 - T0 >= 4}).
