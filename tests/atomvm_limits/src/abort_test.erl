%% SPDX-License-Identifier: Apache-2.0
%%
%% tests/atomvm_limits, scenarios "abort" and "abort_reboot": where AtomVM itself gives up on
%% running out of memory. A monitored process grows a list until its heap cannot grow: it
%% dies of out_of_memory, and AtomVM, which must build the 'DOWN' message on that full heap,
%% prints "Cannot handle out of memory." and calls abort(). The board must log it and halt or
%% reboot (CONFIG_ATOMVM_FATAL_*), never hang.
-module(abort_test).
-export([start/0]).

start() ->
    io:format("abort test: a monitored process runs out of memory~n"),
    {Pid, Ref} = spawn_monitor(fun() -> lists:seq(1, 8 * 1024 * 1024) end),
    receive
        {'DOWN', Ref, process, Pid, Reason} ->
            io:format("FAIL the VM went on: 'DOWN' with ~p~n", [Reason])
    after 10000 -> io:format("FAIL the VM went on without a 'DOWN'~n")
    end.
