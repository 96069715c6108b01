%% SPDX-License-Identifier: Apache-2.0
%%
%% Synthesizes the first phrase of "Ode to Joy" in Erlang, with integers only (a sine table,
%% a 24-bit phase accumulator, a linear attack/release envelope), and plays it on the board's
%% audio output through the `audio' port: 22050 Hz, 16-bit stereo, one chunk of 1024 frames
%% per play_buffer call. The calls wait while the port's blocks are full, so the synthesis runs
%% just ahead of the playback.
-module(melody).
-export([start/0]).

-define(RATE, 22050).
-define(CHUNK, 1024).
%% Peak amplitude of a note (full scale is 32767).
-define(AMPLITUDE, 12000).
%% Attack and release of each note, in frames (10 ms).
-define(RAMP, 220).

%% {Note, Milliseconds}; rest as a note is silence.
melody() ->
    Q = 300,
    [{e4, Q}, {e4, Q}, {f4, Q}, {g4, Q}, {g4, Q}, {f4, Q}, {e4, Q}, {d4, Q},
     {c4, Q}, {c4, Q}, {d4, Q}, {e4, Q}, {e4, Q * 3 div 2}, {d4, Q div 2}, {d4, Q * 2},
     {rest, Q}].

freq(c4) -> 262;
freq(d4) -> 294;
freq(e4) -> 330;
freq(f4) -> 349;
freq(g4) -> 392;
freq(rest) -> 0.

start() ->
    case audio:open([{sample_rate, ?RATE}, {bits, 16}, {channels, 2}]) of
        {ok, Port} ->
            ok = audio:subscribe(Port),
            ok = audio:set_volume(Port, 200),
            Notes = melody(),
            io:format("melody: playing ~p notes at ~p Hz~n", [length(Notes), ?RATE]),
            Frames = lists:foldl(fun(Note, Acc) -> Acc + play_note(Port, Note) end, 0, Notes),
            ok = audio:drain(Port),
            {stats, Stats} = audio:get_stats(Port),
            io:format("melody: done, ~p frames synthesized, ~p played, ~p underruns~n",
                      [Frames, proplists:get_value(played_frames, Stats),
                       proplists:get_value(underruns, Stats)]),
            ok = audio:close(Port);
        {error, Reason} ->
            io:format("melody: cannot open the audio output: ~p~n", [Reason]),
            {error, Reason}
    end.

%% Plays one note; returns its frame count.
play_note(Port, {Note, Ms}) ->
    Frames = ?RATE * Ms div 1000,
    %% One sine period is 2^24 phase units; the table has 256 steps of 2^16.
    Step = (freq(Note) bsl 24) div ?RATE,
    play_chunks(Port, Frames, 0, Step, 0),
    io:format("melody: ~p ~p ms~n", [Note, Ms]),
    Frames.

play_chunks(_Port, Frames, Done, _Step, _Phase) when Done >= Frames ->
    ok;
play_chunks(Port, Frames, Done, Step, Phase) ->
    N = min(?CHUNK, Frames - Done),
    {Samples, Phase1} = synth(N, Done, Frames, Step, Phase, []),
    case audio:play_buffer(Port, list_to_binary(Samples)) of
        ok -> play_chunks(Port, Frames, Done + N, Step, Phase1);
        {error, Reason} -> io:format("melody: play_buffer failed: ~p~n", [Reason])
    end.

%% N frames from frame I of a note of Total frames: [<<L:16, R:16>>] (the same in both
%% channels), built back to front.
synth(0, _I, _Total, _Step, Phase, Acc) ->
    {lists:reverse(Acc), Phase};
synth(N, I, Total, Step, Phase, Acc) ->
    S = sine(Phase bsr 16) * envelope(I, Total) div 32768,
    Frame = <<S:16/little-signed, S:16/little-signed>>,
    synth(N - 1, I + 1, Total, Step, (Phase + Step) band 16#FFFFFF, [Frame | Acc]).

%% The amplitude at frame I of Total: a linear ramp up over ?RAMP frames, flat, and down over
%% the last ?RAMP frames (no clicks between notes).
envelope(I, _Total) when I < ?RAMP -> ?AMPLITUDE * I div ?RAMP;
envelope(I, Total) when Total - I < ?RAMP -> ?AMPLITUDE * (Total - I) div ?RAMP;
envelope(_I, _Total) -> ?AMPLITUDE.

%% sin(2 pi K / 256) x 32767, from a quarter-wave table.
sine(K) when K < 64 -> element(K + 1, quarter());
sine(K) when K < 128 -> element(128 - K + 1, quarter());
sine(K) when K < 192 -> -element(K - 128 + 1, quarter());
sine(K) -> -element(256 - K + 1, quarter()).

%% sin(2 pi K / 256) x 32767 for K = 0..64, rounded.
quarter() ->
    {0, 804, 1608, 2410, 3212, 4011, 4808, 5602, 6393, 7179, 7962, 8739, 9512, 10278, 11039,
     11793, 12539, 13279, 14010, 14732, 15446, 16151, 16846, 17530, 18204, 18868, 19519, 20159,
     20787, 21403, 22005, 22594, 23170, 23731, 24279, 24811, 25329, 25832, 26319, 26790, 27245,
     27683, 28105, 28510, 28898, 29268, 29621, 29956, 30273, 30571, 30852, 31113, 31356, 31580,
     31785, 31971, 32137, 32285, 32412, 32521, 32609, 32678, 32728, 32757, 32767}.
