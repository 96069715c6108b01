%% SPDX-License-Identifier: Apache-2.0
%%
%% @doc The `display' port: the devicetree-selected display's configuration,
%% backlight and orientation.
%%
%% The configuration is a resource (an opaque reference): `config_ref/1'
%% hands it out, `read_config/2' reads any such reference, and it stays
%% valid after the port closes, until the last holder drops it.
%%
%% Every function returns `{error, Reason}' on bad input: `badarg' (wrong
%% type), `out_of_range', `unknown_command', `noproc' (the port is closed).
-module(display).

-export([
    open/0,
    open/1,
    get_config/1,
    config_ref/1,
    read_config/2,
    set_backlight/2,
    set_orientation/2,
    stats/1,
    close/1
]).

-type option() ::
    {width, pos_integer()}
    | {height, pos_integer()}
    | {depth, 1..32}
    | {orientation, orientation()}
    | {backlight, 0..255}.
-type orientation() :: 0 | 90 | 180 | 270.
-type config() :: [
    {width, pos_integer()}
    | {height, pos_integer()}
    | {depth, pos_integer()}
    | {orientation, orientation()}
    | {backlight, 0..255}
    | {rotation, hardware | software}
].
-export_type([option/0, orientation/0, config/0]).

%% @equiv open([])
-spec open() -> {ok, port()} | {error, term()}.
open() ->
    open([]).

%% @doc Opens the display. `width' and `height', when given, must match the
%% panel; `depth' must be one the driver supports (it switches the pixel
%% format); `orientation' and `backlight' (default 128) are applied at once.
%% Fails with `{error, Reason}', the port's reason: `badarg' (wrong types or
%% unknown options), `{mismatch, width | height}', `{unsupported, depth}',
%% `{out_of_range, Option}', `no_device' (no display selected or ready),
%% `busy' (a display port is open already: one at a time, so a second open
%% never reconfigures the panel under the first), `io'.
%%
%% The port is linked to the caller, as Erlang links a port to the process
%% that opens it: if the caller dies, the port is killed and its state
%% dropped. (A caller that exits `normal' leaves it open: close it first.)
-spec open([option()] | #{atom() => term()}) -> {ok, port()} | {error, term()}.
open(Options) ->
    case atomvm_port:open("display", Options) of
        {ok, Port} ->
            link(Port),
            {ok, Port};
        {error, _} = Error ->
            Error
    end.

%% @doc The configuration as the application sees the screen: width and
%% height trade places at 90 and 270 degrees; `rotation' says whether the
%% controller rotates or the application must.
-spec get_config(port()) -> {ok, config()} | {error, term()}.
get_config(Port) ->
    port:call(Port, get_config).

%% @doc The configuration resource the port keeps alive.
-spec config_ref(port()) -> {ok, reference()} | {error, term()}.
config_ref(Port) ->
    port:call(Port, config_ref).

%% @doc Reads a configuration resource (from any display port).
-spec read_config(port(), reference()) -> {ok, config()} | {error, term()}.
read_config(Port, Ref) ->
    port:call(Port, {read_config, Ref}).

%% @doc Sets the backlight level, 0 (off) to 255 (full).
-spec set_backlight(port(), 0..255) -> ok | {error, term()}.
set_backlight(Port, Level) ->
    port:call(Port, {set_backlight, Level}).

%% @doc Rotates the display (degrees clockwise).
-spec set_orientation(port(), orientation()) -> ok | {error, term()}.
set_orientation(Port, Degrees) ->
    port:call(Port, {set_orientation, Degrees}).

%% @doc Counters of Rust port states and configuration resources since boot.
-spec stats(port()) -> {ok, [{atom(), non_neg_integer()}]} | {error, term()}.
stats(Port) ->
    port:call(Port, stats).

%% @doc Closes the port; its state is dropped at once.
-spec close(port()) -> ok | {error, term()}.
close(Port) ->
    port:call(Port, close).
