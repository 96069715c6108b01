%% SPDX-License-Identifier: Apache-2.0
%%
%% An Erlang-only app outside the module's repository: the `display' port, enabled in
%% prj.conf alone, on the 320x240 dummy display of boards/*.overlay.
-module(oot_erlang).
-export([start/0]).

start() ->
    {ok, Display} = display:open(),
    Results = [
        check(size, fun() ->
            {ok, C} = display:get_config(Display),
            {320, 240} = {proplists:get_value(width, C), proplists:get_value(height, C)}
        end),
        check(backlight, fun() ->
            ok = display:set_backlight(Display, 200),
            {ok, C} = display:get_config(Display),
            200 = proplists:get_value(backlight, C)
        end),
        check(bad_input_is_an_error, fun() ->
            {error, out_of_range} = display:set_backlight(Display, 300),
            {error, unknown_command} = port:call(Display, dance)
        end),
        check(rotation, fun() ->
            ok = display:set_orientation(Display, 90),
            {ok, C} = display:get_config(Display),
            {240, 320} = {proplists:get_value(width, C), proplists:get_value(height, C)}
        end),
        check(close, fun() -> ok = display:close(Display) end)
    ],
    Failed = length([x || fail <- Results]),
    io:format("oot_erlang: ~p passed, ~p failed~n", [length(Results) - Failed, Failed]),
    ok.

check(Name, Fun) ->
    try Fun() of
        _ ->
            io:format("oot_erlang: PASS ~p~n", [Name]),
            pass
    catch
        Class:Reason ->
            io:format("oot_erlang: FAIL ~p: ~p:~p~n", [Name, Class, Reason]),
            fail
    end.
