%% SPDX-License-Identifier: Apache-2.0
%%
%% What the Zephyr platform layer gives Erlang code: time, timeouts, processes, ports, memory
%% limits and events posted from outside the VM thread. Each case prints PASS or FAIL; the last
%% line counts them.
-module(platform_test).
-export([start/0]).

-import(avm_test, [check/2]).

start() ->
    avm_test:run("platform", [
        fun receive_after_timeout/0,
        fun monotonic_time/0,
        fun system_time/0,
        fun spawn_and_monitor/0,
        fun link_and_exit/0,
        fun platform_is_zephyr/0,
        fun unknown_port_is_badarg/0,
        fun child_out_of_heap/0,
        fun events_from_isr/0,
        fun bad_port_options/0
    ]).

receive_after_timeout() ->
    T0 = erlang:monotonic_time(millisecond),
    receive
        never_sent -> {unexpected, message}
    after 50 ->
        check(erlang:monotonic_time(millisecond) - T0 >= 50, waited_less_than_timeout)
    end.

monotonic_time() ->
    A = erlang:monotonic_time(microsecond),
    receive after 20 -> ok end,
    B = erlang:monotonic_time(microsecond),
    %% At least the 20 ms slept, and not absurdly more (a broken unit conversion).
    check(B - A >= 20000 andalso B - A < 2000000, {delta_us, B - A}).

system_time() ->
    S = erlang:system_time(second),
    Ms = erlang:system_time(millisecond),
    check(is_integer(S) andalso S >= 0 andalso abs(Ms div 1000 - S) =< 1, {S, Ms}).

spawn_and_monitor() ->
    {Pid, Ref} = spawn_monitor(fun() -> receive go -> exit(done) end end),
    Pid ! go,
    receive
        {'DOWN', Ref, process, Pid, done} -> ok
    after 1000 -> timeout
    end.

link_and_exit() ->
    process_flag(trap_exit, true),
    Pid = spawn_link(fun() -> receive _ -> ok end end),
    exit(Pid, kill),
    Result =
        receive
            {'EXIT', Pid, killed} -> ok
        after 1000 -> timeout
        end,
    process_flag(trap_exit, false),
    Result.

platform_is_zephyr() ->
    check(atomvm:platform() =:= zephyr, atomvm:platform()).

unknown_port_is_badarg() ->
    try open_port({spawn, "no_such_port"}, []) of
        Port -> {unexpected, Port}
    catch
        error:badarg -> ok
    end.

%% A child that outgrows its heap limit dies; this process and the VM go on. (No monitor:
%% AtomVM builds the 'DOWN' message on the dying process's full heap and aborts.)
child_out_of_heap() ->
    Pid = spawn_opt(fun() -> grow([]) end, [{max_heap_size, 2048}]),
    wait_dead(Pid, 100).

wait_dead(_Pid, 0) ->
    still_alive;
wait_dead(Pid, Tries) ->
    case is_process_alive(Pid) of
        false -> ok;
        true -> receive after 10 -> wait_dead(Pid, Tries - 1) end
    end.

grow(Acc) -> grow([Acc | Acc]).

%% A k_timer ISR posts 5 events with atomvm_zephyr_post_event(); the VM delivers them here.
events_from_isr() ->
    Port = open_port({spawn, "event_poster"}, [{count, 5}]),
    Port ! {self(), start},
    Events = [receive {event, N, InIsr} -> {N, InIsr} after 1000 -> timeout end
              || _ <- lists:seq(1, 5)],
    Port ! close,
    check(Events =:= [{N, true} || N <- lists:seq(1, 5)], Events).

bad_port_options() ->
    try open_port({spawn, "event_poster"}, [{count, not_a_number}]) of
        Port -> {unexpected, Port}
    catch
        error:badarg -> ok
    end.

