%% SPDX-License-Identifier: Apache-2.0
%%
%% Prints every touch of the board's touch screen (the chosen atomvm,touch node), as pushed to
%% this process by the `touch' port, and the port's counters after each gesture.
-module(touch_demo).
-export([start/0]).

start() ->
    case touch:open([{format, full}]) of
        {ok, Port} ->
            ok = touch:subscribe(Port),
            io:format("touch: waiting for touches~n"),
            loop(Port, 0);
        {error, Reason} ->
            io:format("touch: no touch screen (~p)~n", [Reason]),
            {error, Reason}
    end.

%% `Down': contacts currently touching.
loop(Port, Down) ->
    receive
        {touch_events, Events} ->
            loop(Port, lists:foldl(fun(E, N) -> show(Port, E, N) end, Down, Events))
    end.

show(_Port, {touch, Id, down, X, Y, _P, _T}, Down) ->
    io:format("finger ~p down at ~p,~p~n", [Id, X, Y]),
    Down + 1;
show(_Port, {touch, Id, move, X, Y, _P, _T}, Down) ->
    io:format("finger ~p moved to ~p,~p~n", [Id, X, Y]),
    Down;
show(Port, {touch, Id, up, X, Y, _P, _T}, Down) ->
    io:format("finger ~p up at ~p,~p~n", [Id, X, Y]),
    case Down - 1 of
        0 ->
            {stats, Dropped} = touch:get_stats(Port),
            {counters, C} = touch:get_counters(Port),
            io:format("gesture done (~p events so far, ~p dropped)~n", [
                proplists:get_value(pushed, C), Dropped
            ]),
            0;
        N ->
            N
    end.
