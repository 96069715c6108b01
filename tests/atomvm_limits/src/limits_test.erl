%% SPDX-License-Identifier: Apache-2.0
%%
%% tests/atomvm_limits, scenario "limits": running out of memory is an Erlang error in the
%% process that asked for too much, and the VM goes on; messages that a C/Rust thread sends
%% in a burst are handed over newest first (README, "Known limits").
-module(limits_test).
-export([start/0]).

-import(avm_test, [check/2, expect/2]).

start() ->
    avm_test:run("limits", [fun big_binary_is_out_of_memory/0] ++ huge_list() ++ [
        fun big_tuple_is_out_of_memory/0,
        fun memory_is_reusable_after_out_of_memory/0,
        fun task_messages_newest_first/0,
        fun vm_thread_messages_in_order/0
    ]).

%% On mps2/an385 (QEMU) the huge list resets the board without a log line: built there
%% with -DNO_HUGE_LIST (README, "Known limits").
-ifdef(NO_HUGE_LIST).
huge_list() -> [].
-else.
huge_list() -> [fun huge_list_is_out_of_memory/0].
-endif.

%% Runs Fun in a child process; its result, or how it failed, comes back as a message, or
%% `died_without_answer' when the child ended without sending one. No monitor and no link:
%% AtomVM aborts when it must build a 'DOWN' or 'EXIT' message for a process that died of
%% out_of_memory (README, "Known limits"), so the child is watched with is_process_alive/1.
in_child(Fun) ->
    Parent = self(),
    Pid = spawn(fun() ->
        Result =
            try Fun() of
                _Value -> returned
            catch
                Class:Reason -> {Class, Reason}
            end,
        Parent ! {self(), Result}
    end),
    answer(Pid, 500).

answer(Pid, Polls) ->
    receive
        {Pid, Result} -> Result
    after 10 ->
        case {is_process_alive(Pid), Polls} of
            {false, _} ->
                receive {Pid, Result} -> Result after 0 -> died_without_answer end;
            {true, 0} ->
                still_running;
            {true, _} ->
                answer(Pid, Polls - 1)
        end
    end.

%% 64 MiB: more than the heap of either board (CONFIG_ATOMVM_HEAP_SIZE, 4 MiB on native_sim).
-define(TOO_MUCH, 64 * 1024 * 1024).

%% Binary construction (bs_create_bin) checks its allocation; binary:copy/2 does not (README).
big_binary_is_out_of_memory() ->
    Concat = fun() ->
        MiB = binary:copy(<<7>>, 1024 * 1024),
        <<MiB/binary, MiB/binary, MiB/binary, MiB/binary, MiB/binary, MiB/binary, MiB/binary,
          MiB/binary>>
    end,
    expect({error, out_of_memory}, in_child(fun() -> Concat() end)).

%% A list grows the process heap cell by cell until the heap cannot grow: out_of_memory is
%% raised, but the catch cannot even build its answer (the full heap needs a new one to be
%% collected into), so the process dies. It is the only one: the VM goes on (next cases).
huge_list_is_out_of_memory() ->
    expect(died_without_answer, in_child(fun() -> lists:seq(1, ?TOO_MUCH div 8) end)).

big_tuple_is_out_of_memory() ->
    expect({error, out_of_memory}, in_child(fun() -> erlang:make_tuple(?TOO_MUCH div 8, 0) end)).

%% After the failures above, what they tried to take is free again: a quarter of a MiB in a
%% binary and in a list, and a new process.
memory_is_reusable_after_out_of_memory() ->
    Bin = binary:copy(<<1>>, 256 * 1024),
    List = lists:seq(1, 16 * 1024),
    Child = in_child(fun() -> ok end),
    check(byte_size(Bin) =:= 256 * 1024 andalso length(List) =:= 16 * 1024 andalso
              Child =:= returned,
          {byte_size(Bin), length(List), Child}).

%% A thread sends 1..5 back to back (port_send_message_from_task, as our ports' drain threads
%% do through atomvm-port's Mailer): the VM thread takes the burst at once, newest first.
task_messages_newest_first() ->
    expect([5, 4, 3, 2, 1], burst(task_burst, 5)).

%% The same burst sent on the VM thread (a port handler, a NIF) keeps its order.
vm_thread_messages_in_order() ->
    expect([1, 2, 3, 4, 5], burst(vm_burst, 5)).

burst(How, N) ->
    Port = open_port({spawn, "limits_helper"}, []),
    Port ! {self(), How, N},
    Got = [receive I when is_integer(I) -> I after 2000 -> timeout end || _ <- lists:seq(1, N)],
    Port ! close,
    Got.
