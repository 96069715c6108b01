%% SPDX-License-Identifier: Apache-2.0
%%
%% A Rust app outside the module's repository: its own port `oot_counter' (src/lib.rs) and
%% the `display' port from Kconfig, both registered by atomvm_ports::run.
-module(oot_rust).
-export([start/0]).

start() ->
    Results = [
        check(own_port, fun() ->
            P = open_port({spawn, "oot_counter"}, [{start, 5}]),
            {ok, 8} = port:call(P, {bump, 3}),
            {ok, 108} = port:call(P, {bump, 100}),
            {error, out_of_range} = port:call(P, {bump, 101}),
            {error, unknown_command} = port:call(P, nope),
            ok = port:call(P, close)
        end),
        check(port_from_kconfig, fun() ->
            {ok, D} = display:open(),
            {ok, C} = display:get_config(D),
            {320, 240} = {proplists:get_value(width, C), proplists:get_value(height, C)},
            ok = display:close(D)
        end)
    ],
    Failed = length([x || fail <- Results]),
    io:format("oot_rust: ~p passed, ~p failed~n", [length(Results) - Failed, Failed]),
    ok.

check(Name, Fun) ->
    try Fun() of
        _ ->
            io:format("oot_rust: PASS ~p~n", [Name]),
            pass
    catch
        Class:Reason ->
            io:format("oot_rust: FAIL ~p: ~p:~p~n", [Name, Class, Reason]),
            fail
    end.
