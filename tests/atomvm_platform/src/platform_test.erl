%% SPDX-License-Identifier: Apache-2.0
%%
%% What the Zephyr platform layer gives Erlang code: time, timeouts, processes, ports, memory
%% limits, events posted from outside the VM thread, float printing, random numbers and the
%% wall clock. Each case prints PASS or FAIL; the last line counts them.
%%
%% The build passes what it expects of this board (CMakeLists.txt): EXPECTED_CLOCK (rtc, host
%% or uptime), EXPECTED_RANDOM (true when the image has an entropy source) and CONFIGURE_TIME
%% (the host's clock at configure time, seconds since 1970).
-module(platform_test).
-export([start/0]).

-import(avm_test, [check/2, expect/2]).

%% 2025-01-01T00:00:00Z
-define(YEAR_2025, 1735689600).

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
        fun bad_port_options/0,
        fun float_formatting/0,
        fun random_numbers/0,
        fun random_bad_args/0,
        fun wall_clock_at_boot/0,
        fun set_wall_clock/0,
        fun busy_process_keeps_time/0,
        fun sub_ms_timers_with_events/0
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

%% A child that outgrows its max_heap_size gets AtomVM's error for it (error:out_of_memory,
%% raised when a collection would need a heap above the limit) and dies; this process and the
%% VM go on. A twin child with no limit grows past the same size and lives, so the death is the
%% limit's doing, not the system running out of memory.
%%
%% No monitor or link on the limited child: AtomVM (at the pinned commit) aborts when it builds
%% the 'DOWN'/'EXIT' message on the dying process's full heap (README, "Known issues"). So the
%% child reports the error itself, with a message built before it grows (sending copies into
%% the receiver's mailbox, nothing is allocated on the full heap), re-raises it, and this
%% process polls is_process_alive/1 to see it die.
child_out_of_heap() ->
    Limit = 2048,
    %% Live words after growing: twice the limit (two words per cons cell).
    Cells = Limit,
    Parent = self(),
    Free = spawn(fun() -> grow_and_report(Parent, Cells) end),
    FreeResult =
        receive
            {Free, grew, Words} -> Words
        after 5000 -> no_report
        end,
    exit(Free, kill),
    Limited = spawn_opt(fun() -> grow_and_report(Parent, Cells) end, [{max_heap_size, Limit}]),
    LimitedResult =
        receive
            {Limited, grew, _} -> survived_the_limit;
            {Limited, out_of_memory} -> out_of_memory;
            {Limited, other_exception} -> other_exception
        after 5000 -> no_report
        end,
    check(
        is_integer(FreeResult) andalso FreeResult > Limit andalso
            LimitedResult =:= out_of_memory andalso wait_dead(Limited, 100) =:= ok,
        {free_child_heap_words, FreeResult, limited_child, LimitedResult, alive,
            is_process_alive(Limited)}
    ).

%% Builds a list of `Cells' cells, then sends {self(), grew, TotalHeapWords} and waits; an
%% exception on the way is reported as {self(), out_of_memory} or {self(), other_exception}
%% (both built before growing) and raised again.
grow_and_report(Parent, Cells) ->
    Oom = {self(), out_of_memory},
    Other = {self(), other_exception},
    try grow(Cells, []) of
        List ->
            {total_heap_size, Words} = erlang:process_info(self(), total_heap_size),
            Parent ! {self(), grew, Words},
            receive
                stop -> length(List)
            end
    catch
        error:out_of_memory ->
            Parent ! Oom,
            erlang:error(out_of_memory);
        Class:Reason ->
            Parent ! Other,
            erlang:raise(Class, Reason, [])
    end.

grow(0, Acc) -> Acc;
grow(N, Acc) -> grow(N - 1, [N | Acc]).

wait_dead(_Pid, 0) ->
    still_alive;
wait_dead(Pid, Tries) ->
    case is_process_alive(Pid) of
        false -> ok;
        true -> receive after 10 -> wait_dead(Pid, Tries - 1) end
    end.

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


%% Floats print in full (picolibc's float printf, CONFIG_ATOMVM_FLOAT_PRINTF), not "*float*".
float_formatting() ->
    %% erlang:display/1 prints with the C library's printf; the harness matches the line.
    erlang:display(1.5),
    Got = [
        float_to_binary(1.5),
        float_to_list(0.1),
        float_to_binary(-2.25e-10),
        float_to_binary(3.14159, [{decimals, 2}]),
        float_to_list(1.0e10, [{scientific, 3}]),
        float_to_binary(2.5, [short]),
        lists:flatten(io_lib:format("~.2f", [3.14159])),
        lists:flatten(io_lib:format("~f", [-0.5])),
        lists:flatten(io_lib:format("~g", [3.5])),
        lists:sublist(lists:flatten(io_lib:format("~e", [1.5])), 8),
        binary_to_float(<<"2.5e3">>),
        list_to_float("-0.125")
    ],
    expect(
        [
            <<"1.50000000000000000000e+00">>,
            "1.00000000000000005551e-01",
            <<"-2.24999999999999998504e-10">>,
            <<"3.14">>,
            "1.000e+10",
            <<"2.5">>,
            "3.14",
            "-0.500000",
            "3.50000",
            "1.50000e",
            2500.0,
            -0.125
        ],
        Got
    ).

%% atomvm:random/0 and atomvm:rand_bytes/1 from the CSPRNG: sizes asked, values that differ
%% between calls; without an entropy source, error:no_entropy_source.
random_numbers() ->
    random_numbers(?EXPECTED_RANDOM).

random_numbers(true) ->
    Sizes = [byte_size(atomvm:rand_bytes(N)) || N <- [0, 1, 7, 16, 64, 65, 1000]],
    A = atomvm:rand_bytes(16),
    B = atomvm:rand_bytes(16),
    Ints = [atomvm:random() || _ <- lists:seq(1, 8)],
    InRange = lists:all(fun(I) -> is_integer(I) andalso I >= 0 andalso I =< 16#FFFFFFFF end, Ints),
    Distinct = length(lists:usort(Ints)),
    %% Over 64 random bytes at least 40 distinct values (a stuck or zero source has 1).
    Bytes = binary_to_list(atomvm:rand_bytes(64)),
    check(
        Sizes =:= [0, 1, 7, 16, 64, 65, 1000] andalso A =/= B andalso InRange andalso
            Distinct >= 7 andalso length(lists:usort(Bytes)) >= 40,
        {Sizes, A, B, Ints, length(lists:usort(Bytes))}
    );
random_numbers(false) ->
    expect(
        [{error, no_entropy_source}, {error, no_entropy_source}],
        [catch_error(fun() -> atomvm:random() end), catch_error(fun() -> atomvm:rand_bytes(4) end)]
    ).

random_bad_args() ->
    expect(
        [{error, badarg}, {error, badarg}, {error, badarg}, {error, badarg}],
        [
            catch_error(fun() -> atomvm:rand_bytes(-1) end),
            catch_error(fun() -> atomvm:rand_bytes(foo) end),
            catch_error(fun() -> atomvm:rand_bytes(1.0) end),
            catch_error(fun() -> atomvm:rand_bytes(1 bsl 70) end)
        ]
    ).

catch_error(F) ->
    try F() of
        V -> {ok, V}
    catch
        error:R -> {error, R}
    end.

%% The wall clock at boot: the host's clock on native_sim (not earlier than this build's
%% configure step, not a month later), the emulated RTC's preset time in the rtc scenario, or
%% the epoch plus uptime on boards with neither.
wall_clock_at_boot() ->
    Source = zephyr_clock:source(),
    S = erlang:system_time(second),
    Up = erlang:monotonic_time(second),
    Ok =
        case ?EXPECTED_CLOCK of
            host ->
                S > ?YEAR_2025 andalso S >= ?CONFIGURE_TIME - 60 andalso
                    S < ?CONFIGURE_TIME + 30 * 86400;
            rtc ->
                {{2030, 1, 2}, {3, 4, Sec}} = calendar:system_time_to_universal_time(S, second),
                Sec >= 5 andalso Sec < 5 + 30;
            uptime ->
                S >= Up andalso S =< Up + 1
        end,
    check(Source =:= ?EXPECTED_CLOCK andalso Ok, {?EXPECTED_CLOCK, Source, S, utc()}).

utc() ->
    calendar:system_time_to_universal_time(erlang:system_time(second), second).

%% zephyr_clock:set_system_time/2 sets what erlang:system_time/1 and calendar read (and the RTC
%% when there is one); bad arguments are badarg. The clock is put back afterwards.
set_wall_clock() ->
    Before = erlang:system_time(microsecond),
    T0 = erlang:monotonic_time(microsecond),
    %% 2031-02-03T04:05:06.700Z
    Target = 1927857906700,
    Set = zephyr_clock:set_system_time(Target, millisecond),
    Ms = erlang:system_time(millisecond),
    {Date, {H, Mi, Sec}} = utc(),
    Source = zephyr_clock:source(),
    Bad = [
        catch_error(fun() -> zephyr_clock:set_system_time(-1, second) end),
        catch_error(fun() -> zephyr_clock:set_system_time(foo, second) end),
        catch_error(fun() -> zephyr_clock:set_system_time(1, fortnight) end),
        catch_error(fun() -> zephyr_clock:set_system_time(1 bsl 70, second) end)
    ],
    Restored = zephyr_clock:set_system_time(
        Before + erlang:monotonic_time(microsecond) - T0, microsecond
    ),
    After = erlang:system_time(microsecond),
    check(
        Set =:= ok andalso Ms >= Target andalso Ms < Target + 2000 andalso
            Date =:= {2031, 2, 3} andalso {H, Mi} =:= {4, 5} andalso Sec >= 6 andalso
            Sec < 9 andalso Source =:= set andalso Bad =:= lists:duplicate(4, {error, badarg}) andalso
            Restored =:= ok andalso After >= Before andalso After < Before + 2000000,
        {Set, Ms, Date, {H, Mi, Sec}, Source, Bad, Restored, After - Before}
    ).

%% An Erlang process in a busy loop must not stop time for the others: native_sim only
%% advances simulated time when the CPU idles (CONFIG_ATOMVM_NATIVE_SIM_CPU_TIME charges the
%% VM's running time). The busy process gives up after many iterations (seconds of host time)
%% and says so: then this process's 50 ms timeout never fired while it ran.
busy_process_keeps_time() ->
    Self = self(),
    Busy = spawn(fun() -> busy(Self, 30000000) end),
    T0 = erlang:monotonic_time(millisecond),
    Result =
        receive
            {Busy, gave_up} -> timeout_did_not_fire
        after 50 -> ok
        end,
    Waited = erlang:monotonic_time(millisecond) - T0,
    Busy ! stop,
    Stopped =
        receive
            {Busy, stopped, N} -> N
        after 5000 -> not_stopped
        end,
    check(
        Result =:= ok andalso Waited >= 50 andalso is_integer(Stopped) andalso Stopped > 0,
        {Result, Waited, Stopped}
    ).

busy(Parent, 0) ->
    Parent ! {self(), gave_up},
    receive
        stop -> Parent ! {self(), stopped, 0}
    end;
busy(Parent, N) ->
    receive
        stop -> Parent ! {self(), stopped, N}
    after 0 -> busy(Parent, N - 1)
    end.

%% Timers and port events at sub-ms offsets: the event poster's k_timer posts every 300 us
%% while three processes each wait 1 ms twenty times. With ticks faster than 1 kHz (the
%% ticks_10khz scenario) an event wakes the VM between ticks and leaves a timer due in less
%% than a ms: that wait must sleep (rounded up), not spin (on native_sim a spin stops time and
%% this case never ends). Every timer waits at least its 1 ms; every event arrives, in order.
sub_ms_timers_with_events() ->
    Self = self(),
    Waiters = [spawn(fun() -> wait_1ms(Self, 20, true) end) || _ <- lists:seq(1, 3)],
    Port = open_port({spawn, "event_poster"}, [{count, 40}, {period_us, 300}]),
    Port ! {self(), start},
    Events = [receive {event, N, _} -> N after 5000 -> timeout end || _ <- lists:seq(1, 40)],
    Port ! close,
    Waited = [receive {W, waited, AllAtLeast1ms} -> AllAtLeast1ms after 5000 -> timeout end
              || W <- Waiters],
    check(
        Events =:= lists:seq(1, 40) andalso Waited =:= [true, true, true],
        {Events, Waited}
    ).

wait_1ms(Parent, 0, AllAtLeast1ms) ->
    Parent ! {self(), waited, AllAtLeast1ms};
wait_1ms(Parent, N, AllAtLeast1ms) ->
    T0 = erlang:monotonic_time(microsecond),
    receive
    after 1 -> ok
    end,
    wait_1ms(Parent, N - 1, AllAtLeast1ms andalso erlang:monotonic_time(microsecond) - T0 >= 1000).
