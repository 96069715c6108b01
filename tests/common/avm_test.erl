%% SPDX-License-Identifier: Apache-2.0
%%
%% The tiny test runner of our Erlang suites on the VM: each case prints PASS or FAIL, the
%% last line counts them (twister's console harness matches these lines).
-module(avm_test).
-export([run/2, check/2, expect/2]).

%% @doc Runs `Cases' (zero-arity funs), prints "<Suite> tests: N passed, M failed".
run(Suite, Cases) ->
    Results = [run_case(Case) || Case <- Cases],
    Passed = length([ok || ok <- Results]),
    Failed = length(Results) - Passed,
    io:format("~s tests: ~p passed, ~p failed~n", [Suite, Passed, Failed]),
    case Failed of
        0 -> ok;
        _ -> {failed, Failed}
    end.

run_case(Case) ->
    {name, Name} = erlang:fun_info(Case, name),
    try Case() of
        ok ->
            io:format("PASS ~p~n", [Name]),
            ok;
        Other ->
            io:format("FAIL ~p: ~p~n", [Name, Other]),
            error
    catch
        Class:Reason ->
            io:format("FAIL ~p: ~p:~p~n", [Name, Class, Reason]),
            error
    end.

%% @doc `ok' when `Cond' holds, else `{failed, What}'.
check(true, _What) -> ok;
check(false, What) -> {failed, What}.

%% @doc `ok' when `Got' equals `Want', else `{expected, Want, got, Got}'.
expect(Want, Want) -> ok;
expect(Want, Got) -> {expected, Want, got, Got}.
