%% SPDX-License-Identifier: Apache-2.0
%%
%% Reads the display's configuration, steps the backlight up and down, rotates the screen,
%% and holds on to the configuration resource after the port is closed.
-module(display_demo).
-export([start/0]).

start() ->
    {ok, Display} = display:open(),
    {ok, Config} = display:get_config(Display),
    io:format("display: ~p x ~p, ~p bits per pixel~n",
              [proplists:get_value(width, Config), proplists:get_value(height, Config),
               proplists:get_value(depth, Config)]),
    case display:set_backlight(Display, 0) of
        ok ->
            step_backlight(Display, [0, 64, 128, 192, 255, 128, 0]),
            %% Bad input is an error reply, never a crash.
            {error, out_of_range} = display:set_backlight(Display, 300);
        {error, not_supported} ->
            io:format("this display has no backlight control~n")
    end,
    ok = display:set_orientation(Display, 90),
    {ok, Rotated} = display:get_config(Display),
    io:format("rotated: ~p x ~p (~p)~n",
              [proplists:get_value(width, Rotated), proplists:get_value(height, Rotated),
               proplists:get_value(rotation, Rotated)]),
    {error, unknown_command} = port:call(Display, dance),
    {ok, Ref} = display:config_ref(Display),
    ok = display:close(Display),
    io:format("closed; still holding the configuration resource: ~p~n", [is_reference(Ref)]),
    ok.

step_backlight(Display, Levels) ->
    lists:foreach(
        fun(Level) ->
            ok = display:set_backlight(Display, Level),
            {ok, C} = display:get_config(Display),
            io:format("backlight ~p~n", [proplists:get_value(backlight, C)]),
            receive after 100 -> ok end
        end,
        Levels
    ).
