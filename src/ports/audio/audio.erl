%% SPDX-License-Identifier: Apache-2.0
%%
%% @doc The `audio' port (src/ports/audio): PCM playback over I2S.
%%
%% Outputs are `atomvm,audio-port' devicetree nodes: an I2S controller (`i2s') and, optionally,
%% an audio codec (`codec', any codec with a Zephyr driver). The option `{device, Name}' picks
%% one by node label or node name, else the chosen `atomvm,audio' node is used, else the first
%% one. Each node can be open by one port at a time; every node can be open at once.
%%
%% PCM is little-endian signed samples, channels interleaved: 2 bytes per sample at 16 bits,
%% 4 bytes at 24 bits (the value in the low three) and 32 bits. Each binary is copied once,
%% straight into the I2S blocks of the port's memory slab (`block_count' blocks of
%% `block_size' bytes); the driver plays them and gives them back. The stream starts once
%% CONFIG_ATOMVM_PORT_AUDIO_START_BLOCKS blocks are queued (2 by default), or at
%% {@link drain/1}.
%%
%% {@link play_buffer/2} answers `ok' once every byte of the binary is in blocks queued to the
%% driver. When no block is free the reply waits (the VM keeps running: the port answers
%% later, when the driver gives blocks back); replies come in request order. Keep at least two
%% blocks queued to play without gaps: a stream that runs dry is an underrun (counted, and
%% `{audio, Port, underrun}' for subscribers); the next binaries start it again.
%%
%% Volume ({@link set_volume/2}, 0..255) goes to the codec's OUTPUT_VOLUME property, in the
%% codec's own units (0 also mutes it); without a codec the samples are scaled by
%% `Volume / 255' while they are copied (255, the default, copies them unchanged).
%%
%% Closing the port (or its owner's exit, or the VM's end) drops the queued blocks, stops the
%% codec's output and answers waiting calls `{error, closed}'; the slab is freed once the
%% driver has given every block back.
-module(audio).

-export([
    open/0,
    open/1,
    play_buffer/2,
    set_volume/2,
    stop/1,
    drain/1,
    get_stats/1,
    get_counters/1,
    subscribe/1,
    unsubscribe/1,
    close/1
]).

-type option() ::
    {device, atom() | string() | binary()}
    | {sample_rate, 8000 | 11025 | 16000 | 22050 | 32000 | 44100 | 48000 | 88200 | 96000}
    | {bits, 16 | 24 | 32}
    | {channels, 1 | 2}
    | {block_size, pos_integer()}
    | {block_count, pos_integer()}.
-type stats() :: [{played_frames | underruns | queued_blocks | high_water, non_neg_integer()}].
-type counters() :: [{atom(), non_neg_integer() | ready | running | error}].
-export_type([option/0, stats/0, counters/0]).

%% @equiv open([])
-spec open() -> {ok, port()} | {error, term()}.
open() ->
    open([]).

%% @doc Opens an output and links it to the caller. Options (a list or a map):
%% `{device, Name}' (a node label or node name of an `atomvm,audio-port' node),
%% `{sample_rate, Hz}' (default 48000), `{bits, 16 | 24 | 32}' (default 16),
%% `{channels, 1 | 2}' (default 2), `{block_size, Bytes}' (whole frames, at most
%% CONFIG_ATOMVM_PORT_AUDIO_MAX_BLOCK_SIZE; default CONFIG_ATOMVM_PORT_AUDIO_BLOCK_SIZE
%% rounded down to whole frames), `{block_count, N}' (2 up to
%% CONFIG_ATOMVM_PORT_AUDIO_MAX_BLOCK_COUNT; default CONFIG_ATOMVM_PORT_AUDIO_BLOCK_COUNT).
%% Fails with `{error, Reason}': `{badarg, Option}' (not an integer, say),
%% `{out_of_range, Option}' (an unsupported rate, bit depth or channel count, a block that is
%% not whole frames), `unknown_option', `badarg' (options not a list or map), `no_device',
%% `not_ready' (its devices did not start), `busy' (open already, or its last port's blocks
%% are not all back yet), `unsupported' (the I2S driver or the codec refused the format),
%% `io', `no_memory'.
-spec open([option()] | #{atom() => term()}) -> {ok, port()} | {error, term()}.
open(Options) ->
    case atomvm_port:open("audio", Options) of
        {ok, Port} ->
            link(Port),
            {ok, Port};
        {error, _} = Error ->
            Error
    end.

%% @doc Queues PCM: `ok' once every byte is in blocks queued to the driver (the reply waits
%% while no block is free). Errors: `{error, not_whole_frames}', `{error, too_large}' (over
%% CONFIG_ATOMVM_PORT_AUDIO_MAX_BINARY), `{error, badarg}' (not a binary), `{error, busy}'
%% (CONFIG_ATOMVM_PORT_AUDIO_MAX_WAITING calls wait already), `{error, stopped}' or
%% `{error, closed}' (a waiting call when the port is stopped or closed), `{error, io}'.
-spec play_buffer(port(), binary()) -> ok | {error, term()}.
play_buffer(Port, Pcm) ->
    port:call(Port, {play_buffer, Pcm}).

%% @doc Sets the volume, 0..255: the codec's output volume (0 also mutes it), else the
%% software scale of the samples copied from now on.
-spec set_volume(port(), 0..255) -> ok | {error, term()}.
set_volume(Port, Volume) ->
    port:call(Port, {set_volume, Volume}).

%% @doc Stops at once: what is queued is dropped, waiting calls get `{error, stopped}'. The
%% port stays open; the next binaries start the stream again.
-spec stop(port()) -> ok | {error, term()}.
stop(Port) ->
    port:call(Port, stop).

%% @doc Plays what is queued to the end: `ok' once it has played (the stream is started first
%% if fewer than the start threshold were queued). Subscribers get `{audio, Port, drained}'.
-spec drain(port()) -> ok | {error, term()}.
drain(Port) ->
    port:call(Port, drain).

%% @doc `{stats, [{played_frames, F}, {underruns, U}, {queued_blocks, Q}, {high_water, H}]}':
%% frames played since the port opened (dropped ones not counted), times the stream ran dry,
%% blocks the driver holds now and the most it held.
-spec get_stats(port()) -> {stats, stats()} | {error, term()}.
get_stats(Port) ->
    port:call(Port, get_stats).

%% @doc The stats and the port's inner state, for tests: `{counters, [...]}' with also
%% `{free_blocks, N}', `{block_count, N}', `{deferred, N}' (calls waiting) and
%% `{state, ready | running | error}'.
-spec get_counters(port()) -> {counters, counters()} | {error, term()}.
get_counters(Port) ->
    port:call(Port, get_counters).

%% @doc Subscribes the caller to `{audio, Port, underrun}' and `{audio, Port, drained}'.
%% Idempotent; at most 4 subscribers (`{error, {too_many, subscribers}}'); a subscriber that
%% exits is removed.
-spec subscribe(port()) -> ok | {error, term()}.
subscribe(Port) ->
    port:call(Port, subscribe).

%% @doc Unsubscribes the caller (`ok' also when it was not subscribed).
-spec unsubscribe(port()) -> ok | {error, term()}.
unsubscribe(Port) ->
    port:call(Port, unsubscribe).

%% @doc Closes the port: the queue dropped, the codec's output stopped, waiting calls answered
%% `{error, closed}'.
-spec close(port()) -> ok | {error, term()}.
close(Port) ->
    port:call(Port, close).
