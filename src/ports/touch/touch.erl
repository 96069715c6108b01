%% SPDX-License-Identifier: Apache-2.0
%%
%% @doc The `touch' port (src/ports/touch): touch events of a touch screen.
%%
%% Screens are `atomvm,touch-port' devicetree nodes; the option `{device, Name}' picks one by
%% node label or node name, else the chosen `atomvm,touch' node is used, else the first one.
%% A screen either has an FT5x06-family controller read by the port's Rust driver (its INT
%% interrupt queues a timestamp, the screen's drain thread reads the controller over I2C and
%% applies the node's touchscreen-common properties: size, inversion, swap), or, with
%% `input-bridge', any controller with a Zephyr input driver, whose input events the drain
%% thread turns into the same events. Events wait in the screen's ring
%% (CONFIG_ATOMVM_PORT_TOUCH_RING_DEPTH, 32 by default). Every screen can be open at the same
%% time, each by one port.
%%
%% The open answers at once: the controller's reset (with reset-gpios, ~205 ms at the first
%% open) and the driver's initialisation run on the screen's drain thread, and events start
%% when the controller is ready (`{state, ready}' in {@link get_counters/1}). If it does not
%% come up, `{state, failed}' is reported there, `read_events' and `subscribe' answer
%% `{error, init_failed}', and subscribers get `{touch_error, init_failed}'.
%%
%% Events are either pulled with {@link read_events/1} or pushed to subscribers
%% ({@link subscribe/1}) as `{touch_events, [Event, ...]}' messages of at most `max_batch'
%% events. While anyone is subscribed the drain thread delivers every event to the
%% subscribers; otherwise they wait in the ring (the oldest stay, newer ones are dropped and
%% counted when it is full). A subscriber that exits is removed (it is monitored).
%%
%% Event shapes: `{touch, X, Y, Pressure, Timestamp}' (format `seed', the default; pressure 0
%% is a lift) or `{touch, Id, Kind, X, Y, Pressure, Timestamp}' (format `full', `Kind' one of
%% `down', `move', `up'). Timestamps are microseconds of uptime (the INT edge).
%%
%% Controllers without pressure (Zephyr's input drivers report none) give pressure 1 while
%% touching.
-module(touch).

-export([
    open/0,
    open/1,
    read_events/1,
    get_stats/1,
    get_counters/1,
    subscribe/1,
    unsubscribe/1,
    close/1
]).

-type option() ::
    {format, seed | full} | {max_batch, 1..64} | {device, atom() | string() | binary()}.
-type event() ::
    {touch, X :: non_neg_integer(), Y :: non_neg_integer(), Pressure :: 0..255,
        Timestamp :: non_neg_integer()}
    | {touch, Id :: 0..15, down | move | up, X :: non_neg_integer(), Y :: non_neg_integer(),
        Pressure :: 0..255, Timestamp :: non_neg_integer()}.
-type counters() :: [{atom(), non_neg_integer() | starting | ready | failed}].
-export_type([option/0, event/0, counters/0]).

%% @equiv open([])
-spec open() -> {ok, port()} | {error, term()}.
open() ->
    open([]).

%% @doc Opens the port and links it to the caller. Options: `{format, seed | full}' (default
%% `seed'), `{max_batch, 1..64}' (default 16), `{device, Name}' (a node label or node name of
%% an `atomvm,touch-port' node, e.g. `touch_port' or "touch-port"). Fails with
%% `{error, Reason}', the port's reason: `{badarg, Option}', `{out_of_range, Option}' or
%% `unknown_option' for bad options, `badarg' when the options are not a list or map,
%% `no_device' (no such screen), `not_ready' (its devices are not ready), `busy' (the screen
%% is open already), `no_memory'.
-spec open([option()] | #{atom() => term()}) -> {ok, port()} | {error, term()}.
open(Options) ->
    case atomvm_port:open("touch", Options) of
        {ok, Port} ->
            link(Port),
            {ok, Port};
        {error, _} = Error ->
            Error
    end.

%% @doc Takes up to 64 of the oldest events: `{events, [Event, ...]}' or `no_events'.
-spec read_events(port()) -> {events, [event(), ...]} | no_events | {error, term()}.
read_events(Port) ->
    port:call(Port, read_events).

%% @doc The events lost since the port opened (the ring was full): `{stats, Dropped}'.
-spec get_stats(port()) -> {stats, non_neg_integer()} | {error, term()}.
get_stats(Port) ->
    port:call(Port, get_stats).

%% @doc Every counter since the port opened:
%% `{counters, [{dropped, D}, {pushed, P}, {high_water, H}, {delivered, N}, {events, E},
%% {interrupts, I}, {irq_dropped, Q}, {irq_taken, T}, {reads, R}, {read_errors, RE},
%% {inputs, IN}, {input_dropped, ID}, {subscribers, S}, {state, State}]}' (`inputs': input
%% events taken from the bridge; `input_dropped': lost to its full queue; `State':
%% `starting' until the controller is up, then `ready', or `failed'). `pushed' counts events
%% offered to the ring, so once it is empty `pushed =:= delivered + dropped';
%% `interrupts =:= irq_taken + irq_dropped' once the drain thread caught up (`irq_dropped':
%% INT edges lost to a full interrupt queue, harmless, since the next read returns the current
%% state).
-spec get_counters(port()) -> {counters, counters()} | {error, term()}.
get_counters(Port) ->
    port:call(Port, get_counters).

%% @doc Subscribes the caller: it receives `{touch_events, [Event, ...]}' messages. Idempotent;
%% at most 4 subscribers (`{error, {too_many, subscribers}}').
-spec subscribe(port()) -> ok | {error, term()}.
subscribe(Port) ->
    port:call(Port, subscribe).

%% @doc Unsubscribes the caller (`ok' also when it was not subscribed).
-spec unsubscribe(port()) -> ok | {error, term()}.
unsubscribe(Port) ->
    port:call(Port, unsubscribe).

%% @doc Closes the port: the interrupt (or the bridge) is disabled, the subscribers dropped.
-spec close(port()) -> ok | {error, term()}.
close(Port) ->
    port:call(Port, close).
