%% SPDX-License-Identifier: Apache-2.0
%%
%% tests/atomvm_limits, scenario "modules": the app holds 300 generated modules m_001..m_300
%% (made by CMakeLists.txt at configure time); each m_N:f(N) makes a non-tail local call and
%% returns {N, 2 * N}. They are called in order, each loading its module; the line printed
%% per call names how many modules the VM holds at that point (erlang:loaded/0).
%% AtomVM encodes return addresses as (module index << 24) in 32 bits: a module loaded
%% 257th or later (index 256 and up) cannot return from a call it makes.
-module(modules_test).
-export([start/0, call/1]).

start() ->
    [call(N) || N <- lists:seq(1, 300)],
    io:format("modules test: all 300 called~n").

call(N) ->
    Digits = integer_to_list(N),
    Module = list_to_atom("m_" ++ lists:duplicate(3 - length(Digits), $0) ++ Digits),
    Before = length(erlang:loaded()),
    Result = (catch Module:f(N)),
    Verdict =
        case Result of
            {N, Double} when Double =:= 2 * N -> ok;
            _ -> bad
        end,
    io:format("module ~p loaded as number ~p: ~p ~p~n", [Module, Before + 1, Verdict, Result]).
