%% SPDX-License-Identifier: Apache-2.0
%%
%% The `display' port (Rust) on the VM, against Zephyr's dummy display with a PWM-LED
%% backlight on the fake PWM controller (1 ms period = 1000 cycles at 1 MHz), plus the
%% framework's own test port `framework_test' and the C port `noop_c' for the round-trip
%% benchmark. Every bad input must give {error, _} and leave the VM running. Every wait has a
%% timeout that fails the case.
-module(display_test).
-export([start/0]).

-import(avm_test, [check/2, expect/2]).

start() ->
    Result = avm_test:run("display", cases()),
    %% Left open on purpose: stopping the VM must drop its state (checked from Rust).
    {ok, _Open} = display:open(),
    %% A request left waiting on purpose: stopping the VM must answer and free it (the
    %% deferred counts, checked from Rust).
    T = open_port({spawn, "framework_test"}, []),
    _ = call_async(T, {hold, <<"left waiting">>}),
    {ok, 1} = port:call(T, held),
    Result.

cases() ->
    [
        fun open_with_defaults/0,
        fun open_with_options/0,
        fun open_with_a_map/0,
        fun bad_open_options/0,
        fun second_open_is_busy/0,
        fun open_errors_reach_erlang/0,
        fun set_backlight/0,
        fun set_backlight_errors/0,
        fun set_orientation/0,
        fun unknown_commands/0,
        fun close_drops_the_port_state/0,
        fun killed_port_drops_its_state/0,
        fun owner_exit_drops_the_port_state/0,
        fun config_resource_outlives_port_until_gc/0,
        fun read_config_type_checks/0,
        fun framework_decoding/0,
        fun framework_errors/0,
        fun framework_references/0,
        fun framework_big_integers/0,
        fun messages_from_a_thread/0,
        fun deferred_replies_in_order/0,
        fun deferred_request_binaries_stay_intact/0,
        fun deferred_answered_closed_on_close/0,
        fun deferred_answered_closed_on_kill/0,
        fun stream_delivers_in_order_in_bounded_batches/0,
        fun stream_instances_stay_apart/0,
        fun stream_subscribers_are_monitored/0,
        fun stream_notifies_every_subscriber/0,
        fun stream_doorbell_lost_with_a_closed_port/0,
        fun stream_releases_its_monitor_resource/0,
        fun round_trip_benchmark/0
    ].

%% {PulseCycles, PeriodCycles} last set on the backlight's PWM.
pwm() ->
    Probe = open_port({spawn, "backlight_probe"}, []),
    {ok, Pulse, Period, _Calls} = port:call(Probe, pulse),
    ok = port:call(Probe, close),
    {Pulse, Period}.

config(P) ->
    {ok, C} = display:get_config(P),
    C.

stat(P, Key) ->
    {ok, S} = display:stats(P),
    proplists:get_value(Key, S).

%% {Opened, Dropped}: Rust port states created and dropped since boot (all drivers), read
%% through the framework's test port, which is itself counted once opened.
port_states() ->
    T = open_port({spawn, "framework_test"}, []),
    {ok, Opened, Dropped} = port:call(T, port_stats),
    ok = port:call(T, close),
    {Opened, Dropped}.

open_with_defaults() ->
    {ok, P} = display:open(),
    C = config(P),
    ok = display:close(P),
    Want = [{width, 320}, {height, 240}, {depth, 32}, {orientation, 0}, {backlight, 128},
            {rotation, software}],
    case expect(Want, C) of
        ok -> expect({500, 1000}, pwm());
        Other -> Other
    end.

open_with_options() ->
    {ok, P} = display:open([{width, 320}, {height, 240}, {depth, 24}, {orientation, 90},
                            {backlight, 255}]),
    C = config(P),
    ok = display:close(P),
    %% At 90 degrees the application sees a 240 x 320 screen.
    case expect([{width, 240}, {height, 320}, {depth, 24}, {orientation, 90},
                 {backlight, 255}, {rotation, software}], C) of
        ok -> expect({1000, 1000}, pwm());
        Other -> Other
    end.

open_with_a_map() ->
    {ok, P} = display:open(#{backlight => 0, orientation => 180}),
    C = config(P),
    ok = display:close(P),
    case {proplists:get_value(backlight, C), proplists:get_value(orientation, C)} of
        {0, 180} -> expect({0, 1000}, pwm());
        Other -> {unexpected, Other}
    end.

%% Each refused open tells why.
bad_open_options() ->
    Cases = [
        {[{width, 100}], {mismatch, width}},
        {[{height, 0}], {mismatch, height}},
        {[{depth, 16}], {unsupported, depth}},
        {[{depth, 0}], {out_of_range, depth}},
        {[{depth, foo}], {badarg, depth}},
        {[{orientation, 45}], {out_of_range, orientation}},
        {[{orientation, right}], {badarg, orientation}},
        {[{backlight, 256}], {out_of_range, backlight}},
        {[{backlight, -1}], {out_of_range, backlight}},
        {[{backlight, 1.5}], {badarg, backlight}},
        {[{speed, 1}], unknown_option},
        {[42], badarg},
        {[{width}], badarg},
        {foo, badarg},
        {[{width, 320} | tail], badarg},
        {#{backlight => <<"x">>}, {badarg, backlight}},
        {[{backlight, 1 bsl 70}], {out_of_range, backlight}}
    ],
    Got = [display:open(Opts) || {Opts, _} <- Cases],
    %% Mismatches by case number (the options themselves do not print on every VM).
    Wrong = mismatches(1, [{error, Reason} || {_, Reason} <- Cases], Got),
    %% The VM is still fine, and no refused open kept the display: a good open works.
    {ok, P} = display:open(),
    ok = display:close(P),
    expect([], Wrong).

%% [{N, Want, Got}] where the N-th elements differ.
mismatches(_, [], []) -> [];
mismatches(N, [W | Ws], [W | Gs]) -> mismatches(N + 1, Ws, Gs);
mismatches(N, [W | Ws], [G | Gs]) -> [{N, W, G} | mismatches(N + 1, Ws, Gs)].

%% One display port at a time: a second open is refused, and the display keeps what the
%% first port set (the refused open asked for another backlight level).
second_open_is_busy() ->
    {ok, P} = display:open([{backlight, 255}]),
    Busy = display:open([{backlight, 0}]),
    Raw = try open_port({spawn, "display"}, []) of _ -> opened catch error:badarg -> badarg end,
    Pwm = pwm(),
    Level = proplists:get_value(backlight, config(P)),
    ok = display:close(P),
    %% Closing gives the display back.
    {ok, P2} = display:open(),
    ok = display:close(P2),
    expect({{error, busy}, badarg, {1000, 1000}, 255}, {Busy, Raw, Pwm, Level}).

%% atomvm_port:open/2 returns the driver's reason; open_port/2 still raises badarg.
open_errors_reach_erlang() ->
    Got = [
        atomvm_port:open("display", [{width, 1}]),
        atomvm_port:open(display, [{height, 1}]),
        atomvm_port:open(<<"display">>, [{depth, 16}]),
        atomvm_port:open("no_such_port", []),
        atomvm_port:open(42, []),
        atomvm_port:open("display", not_options),
        %% A C driver that refuses without giving a reason.
        atomvm_port:open("refuse_c", []),
        atomvm_port:open("framework_test", [{nope, 1}]),
        try open_port({spawn, "display"}, [{width, 1}]) of _ -> opened
        catch error:badarg -> badarg end
    ],
    {ok, T} = atomvm_port:open("framework_test", []),
    Works = port:call(T, noop),
    ok = port:call(T, close),
    expect([{error, {mismatch, width}}, {error, {mismatch, height}},
            {error, {unsupported, depth}}, {error, no_driver}, {error, badarg},
            {error, badarg}, {error, badarg}, {error, unknown_option}, badarg, ok],
           Got ++ [Works]).

set_backlight() ->
    {ok, P} = display:open(),
    Seen = [begin ok = display:set_backlight(P, L), {L, pwm()} end || L <- [0, 1, 77, 255]],
    Last = proplists:get_value(backlight, config(P)),
    ok = display:close(P),
    %% Level L is round(L * 100 / 255) percent of the 1000-cycle period.
    case expect([{0, {0, 1000}}, {1, {0, 1000}}, {77, {300, 1000}}, {255, {1000, 1000}}], Seen) of
        ok -> expect(255, Last);
        Other -> Other
    end.

set_backlight_errors() ->
    {ok, P} = display:open([{backlight, 10}]),
    Got = [
        display:set_backlight(P, 256),
        display:set_backlight(P, -1),
        display:set_backlight(P, foo),
        display:set_backlight(P, 1 bsl 64),
        port:call(P, {set_backlight}),
        port:call(P, {set_backlight, 1, 2}),
        port:call(P, set_backlight)
    ],
    Level = proplists:get_value(backlight, config(P)),
    ok = display:close(P),
    Want = [{error, out_of_range}, {error, out_of_range}, {error, badarg},
            {error, out_of_range}, {error, badarg}, {error, badarg}, {error, badarg}],
    case expect(Want, Got) of
        ok -> expect(10, Level);
        Other -> Other
    end.

set_orientation() ->
    {ok, P} = display:open(),
    ok = display:set_orientation(P, 270),
    C270 = config(P),
    Errors = [display:set_orientation(P, 45), display:set_orientation(P, up),
              display:set_orientation(P, 360)],
    ok = display:set_orientation(P, 180),
    C180 = config(P),
    ok = display:close(P),
    check(
        proplists:get_value(width, C270) =:= 240 andalso
            proplists:get_value(orientation, C270) =:= 270 andalso
            proplists:get_value(width, C180) =:= 320 andalso
            proplists:get_value(orientation, C180) =:= 180 andalso
            Errors =:= [{error, out_of_range}, {error, badarg}, {error, out_of_range}],
        {C270, C180, Errors}
    ).

unknown_commands() ->
    {ok, P} = display:open(),
    Got = [port:call(P, frobnicate), port:call(P, {frobnicate, 1}), port:call(P, 42),
           port:call(P, "get_config"), port:call(P, {}), port:call(P, {get_config, extra})],
    %% A message that is not a gen_call is ignored, and the port still answers.
    P ! hello,
    P ! {'$call', not_a_from, get_config},
    Still = display:get_config(P),
    ok = display:close(P),
    Want = [{error, unknown_command}, {error, unknown_command}, {error, badarg},
            {error, badarg}, {error, badarg}, {error, badarg}],
    case expect(Want, Got) of
        ok -> check(element(1, Still) =:= ok, Still);
        Other -> Other
    end.

close_drops_the_port_state() ->
    {_, D0} = port_states(),
    {ok, P} = display:open(),
    ok = display:close(P),
    %% Two more: the display port's and the counting port's own.
    {_, D1} = port_states(),
    AfterClose = display:get_config(P),
    case expect(D0 + 2, D1) of
        ok -> expect({error, noproc}, AfterClose);
        Other -> Other
    end.

%% Waits until the port `P' is gone; a timeout fails the case.
await_down(P) ->
    Ref = erlang:monitor(port, P),
    receive
        {'DOWN', Ref, port, P, _} -> ok
    after 2000 -> throw({timeout, port_down, P})
    end.

killed_port_drops_its_state() ->
    {_, D0} = port_states(),
    {ok, P} = display:open(),
    unlink(P),
    exit(P, kill),
    ok = await_down(P),
    {_, D1} = port_states(),
    expect(D0 + 2, D1).

owner_exit_drops_the_port_state() ->
    {_, D0} = port_states(),
    Self = self(),
    {Pid, Ref} = spawn_opt(
        fun() ->
            {ok, P} = display:open(),
            Self ! {port, P},
            exit(owner_done)
        end,
        [monitor]
    ),
    P = receive {port, Port} -> Port after 2000 -> throw({timeout, owner_port}) end,
    receive
        {'DOWN', Ref, process, Pid, owner_done} -> ok
    after 2000 -> throw({timeout, owner_exit})
    end,
    %% The port was linked to its owner: the exit signal kills it.
    ok = await_down(P),
    {_, D1} = port_states(),
    %% The display is free again.
    {ok, Q} = display:open(),
    ok = display:close(Q),
    expect(D0 + 2, D1).

config_resource_outlives_port_until_gc() ->
    C0 = configs_destroyed(),
    Self = self(),
    %% Only the child ever holds the resource's reference.
    {Pid, Ref} = spawn_opt(
        fun() ->
            {ok, P} = display:open([{backlight, 42}]),
            {ok, R} = display:config_ref(P),
            ok = display:close(P),
            %% The port is gone; the resource is alive while we hold it (R is used again
            %% after the count, so no collection of ours frees it before).
            {ok, Q} = display:open(),
            Read = display:read_config(Q, R),
            Destroyed = stat(Q, configs_destroyed),
            ok = display:close(Q),
            Self ! {read, Read, Destroyed, is_reference(R)}
        end,
        [monitor]
    ),
    Read = receive
        {read, Rd, Destroyed, true} -> {Rd, Destroyed}
    after 2000 -> throw({timeout, child_read})
    end,
    receive
        {'DOWN', Ref, process, Pid, normal} -> ok
    after 2000 -> throw({timeout, child_exit})
    end,
    %% The child's heap is gone with it; collect ours too for good measure.
    erlang:garbage_collect(),
    C1 = configs_destroyed(),
    %% The counting ports' own configurations are destroyed when they close: C0's before the
    %% child counts, the child's Q before it exits, then the child's resource.
    case Read of
        {{ok, Conf}, D} when D =:= C0 + 1 ->
            case expect(42, proplists:get_value(backlight, Conf)) of
                ok -> expect(C0 + 3, C1);
                Other -> Other
            end;
        Other ->
            {unexpected, Other, C0}
    end.

%% Configuration resources destroyed since boot, through a display port of its own (whose
%% configuration is destroyed once it closes, unless something holds it).
configs_destroyed() ->
    {ok, Q} = display:open(),
    N = stat(Q, configs_destroyed),
    ok = display:close(Q),
    N.

read_config_type_checks() ->
    {ok, P} = display:open(),
    Got = [display:read_config(P, make_ref()), display:read_config(P, 42),
           display:read_config(P, P)],
    ok = display:close(P),
    expect([{error, badarg}, {error, badarg}, {error, badarg}], Got).

framework_decoding() ->
    T = open_port({spawn, "framework_test"}, []),
    Big = binary:copy(<<"x">>, 200),
    Got = [
        port:call(T, {sum, [1, 2, 3, -4]}),
        port:call(T, {sum, []}),
        port:call(T, {bin_size, <<"abc">>}),
        port:call(T, {bin_size, Big}),
        port:call(T, {get, b, [a, {b, 7}, {b, 8}]}),
        port:call(T, {get, a, [a, {b, 7}]}),
        port:call(T, {get, c, [a]}),
        port:call(T, {get, k, #{k => -5}}),
        port:call(T, {echo_binary, Big})
    ],
    ok = port:call(T, close),
    expect([{ok, 2}, {ok, 0}, {ok, 3}, {ok, 200}, {ok, 7}, {ok, 1}, {ok, undefined},
            {ok, -5}, {ok, Big}], Got).

framework_errors() ->
    T = open_port({spawn, "framework_test"}, []),
    Got = [
        port:call(T, {sum, [1, two]}),
        port:call(T, {sum, [1 | 2]}),
        port:call(T, {sum, [1 bsl 40]}),
        port:call(T, {sum, not_a_list}),
        port:call(T, {bin_size, "list"}),
        port:call(T, {get, "k", []}),
        port:call(T, {get, k, [{k, v}]}),
        port:call(T, {get, k, [{1, 2}]}),
        port:call(T, {send_from_thread, -1}),
        port:call(T, nope)
    ],
    ok = port:call(T, close),
    BadOpen = try open_port({spawn, "framework_test"}, [x]) of _ -> opened catch error:badarg -> badarg end,
    Want = [{error, badarg}, {error, badarg}, {error, out_of_range}, {error, badarg},
            {error, badarg}, {error, badarg}, {error, badarg}, {error, badarg},
            {error, out_of_range}, {error, unknown_command}],
    case expect(Want, Got) of
        ok -> expect(badarg, BadOpen);
        Other -> Other
    end.

%% A port's reference (vm::Open::make_ref) is a real one: new each time, distinct from make_ref()'s,
%% and the same term when the port sends it again.
framework_references() ->
    T = open_port({spawn, "framework_test"}, []),
    {ok, R1} = port:call(T, make_ref),
    {ok, R2} = port:call(T, make_ref),
    Again = [receive {ref_again, R} -> R after 2000 -> timeout end || R <- [R2, R1]],
    ok = port:call(T, close),
    Mine = make_ref(),
    expect({true, true, true, [R2, R1]},
           {is_reference(R1), R1 =/= R2, Mine =/= R1 andalso Mine =/= R2, Again}).

%% u64s above i64's range arrive as the bignums they are, on 32- and 64-bit VMs.
framework_big_integers() ->
    T = open_port({spawn, "framework_test"}, []),
    Got = port:call(T, big_u64),
    ok = port:call(T, close),
    expect({ok, 1 bsl 63, (1 bsl 64) - 1, (1 bsl 63) - 1}, Got).

messages_from_a_thread() ->
    T = open_port({spawn, "framework_test"}, []),
    N = 100,
    ok = port:call(T, {send_from_thread, N}),
    Got = [receive {from_thread, I} -> I after 2000 -> throw({timeout, from_thread, I}) end
           || I <- lists:seq(1, N)],
    Extra = receive {from_thread, X} -> X after 50 -> none end,
    ok = port:call(T, close),
    case expect(lists:seq(1, N), Got) of
        ok -> expect(none, Extra);
        Other -> Other
    end.

%% --- deferred replies (Call::defer / Deferred), through `framework_test' ---

%% Sends the gen_call port:call/2 would send, without waiting: the reply comes later as
%% {Ref, Reply}. The message is in the port's mailbox when this returns.
call_async(Port, Request) ->
    Ref = make_ref(),
    Port ! {'$call', {self(), Ref}, Request},
    Ref.

%% Position of `X' in `L' (not_found otherwise).
index(X, L) -> index(X, L, 1).
index(_, [], _) -> not_found;
index(X, [X | _], N) -> N;
index(X, [_ | T], N) -> index(X, T, N + 1).

%% A binary of `Len' bytes that depends on `Seed', rebuilt identically by the checks.
pattern(Seed, Len) ->
    list_to_binary([(I * 31 + Seed) band 255 || I <- lists:seq(1, Len)]).

%% Six requests wait, answered in the order they came: two from a later call, four from the
%% port's info callback (a message from another thread), with heap and refc binaries.
deferred_replies_in_order() ->
    T = open_port({spawn, "framework_test"}, []),
    Bins = [pattern(I, I * 13) || I <- lists:seq(1, 6)],
    Refs = [call_async(T, {hold, B}) || B <- Bins],
    Held = port:call(T, held),
    Early = receive {_, _} = M0 -> M0 after 0 -> none end,
    ok = port:call(T, {release, 2}),
    ok = port:call(T, {release_later, 4}),
    Got = [receive {R, Reply} -> {index(R, Refs), Reply}
           after 2000 -> throw({timeout, deferred_reply, I})
           end || I <- lists:seq(1, 6)],
    Left = port:call(T, held),
    ok = port:call(T, close),
    expect({{ok, 6}, none, [{I, {ok, B}} || {I, B} <- lists:zip(lists:seq(1, 6), Bins)],
            {ok, 0}},
           {Held, Early, Got, Left}).

%% A deferred request's binaries stay valid while the caller dropped its own references and
%% many other messages went through the port (and its heap was collected after each).
deferred_request_binaries_stay_intact() ->
    T = open_port({spawn, "framework_test"}, []),
    Parent = self(),
    Sizes = [{1, 20}, {2, 100}, {3, 1000}],
    Callers = [{spawn(fun() ->
                   Ref = call_async(T, {hold, pattern(Seed, Len)}),
                   %% The binary is dead here: this collection drops our reference to it.
                   erlang:garbage_collect(),
                   Parent ! {sent, self()},
                   receive {Ref, Reply} -> Parent ! {reply, self(), Reply}
                   after 30000 -> Parent ! {reply, self(), timeout}
                   end
               end), Seed, Len} || {Seed, Len} <- Sizes],
    [receive {sent, C} -> ok after 2000 -> throw({timeout, sent}) end || {C, _, _} <- Callers],
    %% Messages of the same sizes come and go through the port meanwhile.
    Churn = [port:call(T, {bin_size, binary:copy(<<S>>, Len)}) || S <- lists:seq(10, 30),
                                                                  {_, Len} <- Sizes],
    erlang:garbage_collect(),
    ok = port:call(T, {release_later, 3}),
    Got = [receive {reply, C, R} -> R after 2000 -> throw({timeout, reply}) end
           || {C, _, _} <- Callers],
    ok = port:call(T, close),
    case expect([{ok, pattern(Seed, Len)} || {_, Seed, Len} <- Callers], Got) of
        ok -> check(lists:all(fun({ok, N}) -> lists:member(N, [20, 100, 1000]) end, Churn),
                    Churn);
        Other -> Other
    end.

%% Requests still waiting when the port goes are answered {error, closed}, and freed.
deferred_answered_closed_on_close() -> deferred_answered_closed(close).
deferred_answered_closed_on_kill() -> deferred_answered_closed(kill).

deferred_answered_closed(How) ->
    {Taken0, Released0} = deferred_counts(),
    T = open_port({spawn, "framework_test"}, []),
    Parent = self(),
    Callers = [spawn(fun() ->
                   Ref = call_async(T, {hold, pattern(I, I * 40)}),
                   Parent ! {sent, self()},
                   receive {Ref, Reply} -> Parent ! {reply, self(), Reply}
                   after 5000 -> Parent ! {reply, self(), timeout}
                   end
               end) || I <- lists:seq(1, 3)],
    [receive {sent, C} -> ok after 2000 -> throw({timeout, sent}) end || C <- Callers],
    {ok, 3} = port:call(T, held),
    case How of
        close -> ok = port:call(T, close);
        kill -> ok = await_down_killed(T)
    end,
    Got = [receive {reply, C, R} -> R after 2000 -> throw({timeout, reply}) end
           || C <- Callers],
    {Taken, Released} = deferred_counts(),
    expect({[{error, closed}, {error, closed}, {error, closed}], 3, 3},
           {Got, Taken - Taken0, Released - Released0}).

%% {Taken, Released}: deferred requests since boot (all ports).
deferred_counts() ->
    T = open_port({spawn, "framework_test"}, []),
    {ok, Taken, Released} = port:call(T, deferred_stats),
    ok = port:call(T, close),
    {Taken, Released}.

%% --- atomvm_port::vm::stream, through the test port `stream_test' ---

stream_open(Opts) ->
    open_port({spawn, "stream_test"}, Opts).

%% Receives `{stream, Port, Batch}' messages until `N' items came; the batches, oldest first.
%% A missing message fails the case.
stream_batches(Port, N) -> stream_batches(Port, N, []).

stream_batches(_Port, N, Acc) when N =< 0 -> lists:reverse(Acc);
stream_batches(Port, N, Acc) ->
    receive
        {stream, Port, Batch} -> stream_batches(Port, N - length(Batch), [Batch | Acc])
    after 5000 ->
        throw({timeout, stream, Port, {missing, N}, {got, lists:reverse(Acc)}})
    end.

stream_delivers_in_order_in_bounded_batches() ->
    P = stream_open([{max_batch, 7}]),
    Self = self(),
    N = 500,
    Other = spawn(fun() ->
        receive go -> ok end,
        Self ! {other, stream_batches(P, N)}
    end),
    ok = port:call(P, subscribe),
    ok = port:call(P, {subscribe, Other}),
    %% Subscribing twice changes nothing: each item still arrives once.
    ok = port:call(P, subscribe),
    {ok, 2} = port:call(P, subscribers),
    Other ! go,
    ok = port:call(P, {produce, N}),
    Mine = stream_batches(P, N),
    Theirs = receive {other, B} -> B after 5000 -> throw({timeout, other}) end,
    ok = port:call(P, close),
    Sizes = [length(B) || B <- Mine ++ Theirs],
    case {lists:append(Mine), lists:append(Theirs)} of
        {Seq, Seq} ->
            case expect(lists:seq(1, N), Seq) of
                ok -> check(lists:max(Sizes) =< 7 andalso lists:min(Sizes) >= 1, Sizes);
                Other1 -> Other1
            end;
        Different ->
            {different, Different}
    end.

stream_instances_stay_apart() ->
    A = stream_open([]),
    B = stream_open([{max_batch, 3}]),
    ok = port:call(A, subscribe),
    ok = port:call(B, subscribe),
    ok = port:call(A, {produce, 100}),
    ok = port:call(B, {produce, 60}),
    ok = port:call(A, {produce, 20}),
    GotA = lists:append(stream_batches(A, 120)),
    GotB = lists:append(stream_batches(B, 60)),
    ok = port:call(A, close),
    ok = port:call(B, close),
    expect({lists:seq(1, 120), lists:seq(1, 60)}, {GotA, GotB}).

stream_subscribers_are_monitored() ->
    P = stream_open([]),
    Waiter = fun() -> receive stop -> ok end end,
    [W1, W2, W3] = [spawn(Waiter) || _ <- [1, 2, 3]],
    [ok = port:call(P, {subscribe, W}) || W <- [W1, W2, W3]],
    ok = port:call(P, subscribe),
    TooMany = port:call(P, {subscribe, spawn(Waiter)}),
    {ok, 4} = port:call(P, subscribers),
    %% One exits normally, one is killed: both leave the set.
    Refs = [{W, erlang:monitor(process, W)} || W <- [W1, W2]],
    W1 ! stop,
    exit(W2, kill),
    [receive {'DOWN', R, process, W, _} -> ok after 2000 -> throw({timeout, down, W}) end
     || {W, R} <- Refs],
    After = port:call(P, subscribers),
    %% Room again for a live one; a dead pid is refused.
    ok = port:call(P, {subscribe, spawn(Waiter)}),
    Dead = port:call(P, {subscribe, W1}),
    Unsub = [port:call(P, unsubscribe), port:call(P, unsubscribe)],
    Left = port:call(P, subscribers),
    W3 ! stop,
    ok = port:call(P, close),
    expect({{error, {too_many, subscribers}}, {ok, 2}, {error, badarg}, [ok, not_subscribed],
            {ok, 2}},
           {TooMany, After, Dead, Unsub, Left}).

stream_notifies_every_subscriber() ->
    P = stream_open([]),
    Self = self(),
    Other = spawn(fun() -> receive {note, _, _} = M -> Self ! {relayed, M} end end),
    ok = port:call(P, subscribe),
    ok = port:call(P, {subscribe, Other}),
    Sent = port:call(P, {notify, 42}),
    Mine = receive {note, P, _} = M1 -> M1 after 2000 -> throw({timeout, note}) end,
    Theirs = receive {relayed, M2} -> M2 after 2000 -> throw({timeout, relayed}) end,
    ok = port:call(P, close),
    expect({{ok, 2}, {note, P, 42}, {note, P, 42}}, {Sent, Mine, Theirs}).

%% A doorbell rung for a port that then closes unanswered must not silence the next port.
stream_doorbell_lost_with_a_closed_port() ->
    A = stream_open([]),
    ok = port:call(A, subscribe),
    ok = port:call(A, hold),
    ok = port:call(A, {produce, 1}),
    receive {bell_lost, A} -> ok after 2000 -> throw({timeout, bell_lost}) end,
    ok = port:call(A, close),
    B = stream_open([]),
    ok = port:call(B, subscribe),
    ok = port:call(B, {produce, 3}),
    Got = lists:append(stream_batches(B, 3)),
    ok = port:call(B, close),
    expect([1, 2, 3], Got).

stream_releases_its_monitor_resource() ->
    Q = stream_open([]),
    {ok, C0, D0} = port:call(Q, watch_counts),
    %% A closed port, a killed port with a subscriber, and an open that fails after making
    %% its stream each release their stream's monitor resource.
    P1 = stream_open([]),
    ok = port:call(P1, subscribe),
    ok = port:call(P1, close),
    P2 = stream_open([]),
    ok = port:call(P2, subscribe),
    ok = await_down_killed(P2),
    Failed = try stream_open([fail_open]) of _ -> opened catch error:badarg -> badarg end,
    {ok, C1, D1} = port:call(Q, watch_counts),
    ok = port:call(Q, close),
    expect({badarg, 3, 3}, {Failed, C1 - C0, D1 - D0}).

await_down_killed(P) ->
    Ref = erlang:monitor(port, P),
    exit(P, kill),
    receive
        {'DOWN', Ref, port, P, _} -> ok
    after 2000 -> throw({timeout, port_down})
    end.

%% Not a timed test: prints the cost of a no-op gen_call round trip through the Rust test
%% port and through the equivalent C port, measured in the same run; only checks both work.
round_trip_benchmark() ->
    Rust = open_port({spawn, "framework_test"}, []),
    C = open_port({spawn, "noop_c"}, []),
    N = 2000,
    ok = port:call(Rust, noop),
    ok = port:call(C, noop),
    TR = time_calls(Rust, N),
    TC = time_calls(C, N),
    ok = port:call(Rust, close),
    ok = port:call(C, close),
    io:format("BENCH gen_call noop x~p: rust ~p us, c ~p us, rust/c x1000 ~p~n",
              [N, TR, TC, (TR * 1000) div max(TC, 1)]),
    ok.

time_calls(Port, N) ->
    T0 = erlang:monotonic_time(microsecond),
    loop(Port, N),
    erlang:monotonic_time(microsecond) - T0.

loop(_Port, 0) -> ok;
loop(Port, N) ->
    ok = port:call(Port, noop),
    loop(Port, N - 1).
