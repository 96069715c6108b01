%% SPDX-License-Identifier: Apache-2.0
%%
%% An Erlang app on AtomVM on Zephyr: processes, messages, a timer and a gen_server.
-module(erlang_hello).
-export([start/0]).

start() ->
    io:format("Hello from Erlang on ~p~n", [atomvm:platform()]),

    {ok, Counter} = counter:start_link(),
    ok = counter:bump(Counter),
    ok = counter:bump(Counter),
    io:format("gen_server counter: ~p~n", [counter:value(Counter)]),

    Parent = self(),
    Squares = [spawn(fun() -> Parent ! {square, N, N * N} end) || N <- lists:seq(1, 4)],
    Results = [receive {square, N, Sq} -> Sq end || N <- lists:seq(1, 4)],
    io:format("squares from ~p processes: ~p~n", [length(Squares), Results]),

    T0 = erlang:monotonic_time(millisecond),
    erlang:send_after(100, self(), tick),
    receive
        tick -> ok
    end,
    Elapsed = erlang:monotonic_time(millisecond) - T0,
    io:format("timer fired after at least 100 ms: ~p~n", [Elapsed >= 100]),
    ok = counter:stop(Counter),
    ok.
