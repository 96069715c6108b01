%% SPDX-License-Identifier: Apache-2.0
%%
%% The `touch' port (Rust) on the VM against three emulated FT5x06 (src/emul), driven by the
%% test port `touch_emul' (src/lib.rs). The default screen (touch_port) is read by the Rust
%% driver: 480x272 with Y inverted then X/Y swapped, a controller point (X, Y) is reported at
%% (271 - Y, X). The screen touch_input is read by Zephyr's ft5336 input driver, which
%% reports (X, Y) as (Y, X), through the input bridge. touch_second is read by the Rust driver
%% too (800x480, unchanged, with a reset line); touch_broken's chip ID is made invalid.
%% Every bad input must give {error, _} and leave the VM running.
-module(touch_test).
-export([start/0]).

-import(avm_test, [check/2, expect/2]).

-define(DOWN, 0).
-define(UP, 1).
-define(CONTACT, 2).
-define(RING, 32).

start() ->
    avm_test:run("touch", cases()).

cases() ->
    [
        fun single_touch/0,
        fun multi_touch_two/0,
        fun multi_touch_five/0,
        fun axes_swapped_and_inverted/0,
        fun subscribe_receives_batches/0,
        fun unsubscribe_stops_batches/0,
        fun flood_overflows_with_exact_counts/0,
        fun flood_to_a_subscriber_stays_in_order/0,
        fun bad_options/0,
        fun bad_commands/0,
        fun close_and_reopen/0,
        fun dead_subscriber_is_removed/0,
        fun device_option/0,
        fun input_bridge_read_events/0,
        fun input_bridge_subscribe/0,
        fun screens_are_separate/0,
        fun open_answers_before_the_reset/0,
        fun two_screens_at_once/0,
        fun closed_with_a_doorbell_in_flight_then_reopened/0,
        fun failed_start_is_reported/0,
        fun failed_opens_take_nothing/0
    ].

%% Helpers

emul() ->
    open_port({spawn, "touch_emul"}, []).

with_emul(F) ->
    E = emul(),
    try
        F(E)
    after
        port:call(E, close)
    end.

touch(E, Points) ->
    touch(E, main, Points).

touch(E, Target, Points) ->
    ok = port:call(E, {set_points, Target, Points}),
    ok = port:call(E, {raise_int, Target}).

%% The same on the chip behind the input bridge.
bridge_touch(E, Points) ->
    ok = port:call(E, {set_points, bridge, Points}),
    ok = port:call(E, {raise_int, bridge}).

screen({X, Y}) -> {271 - Y, X}.

stats(P) ->
    {counters, S} = touch:get_counters(P),
    S.

stat(P, Key) ->
    proplists:get_value(Key, stats(P)).

%% The screen's state once it is `Want' (or what it is after 1 s).
wait_state(P, Want) ->
    wait_state(P, Want, 100).

wait_state(P, Want, Tries) ->
    case stat(P, state) of
        Want -> Want;
        Other when Tries =:= 0 -> Other;
        _ ->
            timer:sleep(10),
            wait_state(P, Want, Tries - 1)
    end.

%% Reads events until N came (or 1 s passed).
read_n(P, N) ->
    read_n(P, N, [], 200).

read_n(_P, N, Acc, _Tries) when length(Acc) >= N -> Acc;
read_n(_P, _N, Acc, 0) -> Acc;
read_n(P, N, Acc, Tries) ->
    case touch:read_events(P) of
        {events, Es} -> read_n(P, N, Acc ++ Es, Tries);
        no_events ->
            timer:sleep(5),
            read_n(P, N, Acc, Tries - 1)
    end.

%% {touch_events, L} messages until N events came (or 1 s of silence).
receive_batches(N) ->
    receive_batches(N, []).

receive_batches(N, Acc) ->
    case sum([length(B) || B <- Acc]) >= N of
        true ->
            lists:reverse(Acc);
        false ->
            receive
                {touch_events, L} -> receive_batches(N, [L | Acc])
            after 1000 -> lists:reverse(Acc)
            end
    end.

flush() ->
    receive
        {touch_events, _} -> flush()
    after 0 -> ok
    end.

strip_ts(Events) ->
    [list_to_tuple(lists:reverse(tl(lists:reverse(tuple_to_list(E))))) || E <- Events].

sum(L) -> lists:foldl(fun(X, A) -> X + A end, 0, L).

all_ok([]) -> ok;
all_ok([ok | T]) -> all_ok(T);
all_ok([Other | _]) -> Other.

%% Cases

single_touch() ->
    with_emul(fun(E) ->
        {ok, P} = touch:open(),
        %% native_sim's clock only runs while threads sleep: make the uptime at least 10 ms.
        timer:sleep(10),
        touch(E, [{100, 50, 1, ?DOWN, 30}]),
        [{touch, X, Y, 30, T}] = read_n(P, 1),
        touch(E, [{100, 50, 1, ?UP, 0}]),
        Up = read_n(P, 1),
        Empty = touch:read_events(P),
        ok = touch:close(P),
        all_ok([
            expect({221, 100}, {X, Y}),
            check(is_integer(T) andalso T >= 10000, {timestamp, T}),
            expect([{touch, 221, 100, 0}], strip_ts(Up)),
            expect(no_events, Empty)
        ])
    end).

multi_touch_two() ->
    with_emul(fun(E) ->
        {ok, P} = touch:open([{format, full}]),
        touch(E, [{10, 20, 0, ?DOWN, 5}, {300, 200, 1, ?DOWN, 6}]),
        Down = strip_ts(read_n(P, 2)),
        touch(E, [{11, 20, 0, ?CONTACT, 5}, {300, 200, 1, ?CONTACT, 6}]),
        Move = strip_ts(read_n(P, 1)),
        touch(E, []),
        Up = strip_ts(read_n(P, 2)),
        ok = touch:close(P),
        all_ok([
            expect([{touch, 0, down, 251, 10, 5}, {touch, 1, down, 71, 300, 6}], Down),
            expect([{touch, 0, move, 251, 11, 5}], Move),
            expect(lists:sort([{touch, 0, up, 251, 11, 0}, {touch, 1, up, 71, 300, 0}]),
                   lists:sort(Up))
        ])
    end).

five_points() ->
    [{20 * I, 10 * I, I, ?DOWN, 10 + I} || I <- lists:seq(0, 4)].

multi_touch_five() ->
    with_emul(fun(E) ->
        {ok, P} = touch:open([{format, full}]),
        touch(E, five_points()),
        Down = strip_ts(read_n(P, 5)),
        touch(E, []),
        Up = read_n(P, 5),
        ok = touch:close(P),
        Want = [
            begin
                {SX, SY} = screen({X, Y}),
                {touch, I, down, SX, SY, W}
            end
         || {X, Y, I, _, W} <- five_points()
        ],
        all_ok([
            expect(Want, Down),
            expect(5, length([up || {touch, _, up, _, _, 0, _} <- Up]))
        ])
    end).

axes_swapped_and_inverted() ->
    with_emul(fun(E) ->
        {ok, P} = touch:open(),
        Points = [{0, 0}, {479, 271}, {123, 45}, {900, 300}],
        Got = [
            begin
                touch(E, [{X, Y, 2, ?CONTACT, 9}]),
                [{touch, SX, SY, 9, _}] = read_n(P, 1),
                touch(E, [{X, Y, 2, ?UP, 0}]),
                _ = read_n(P, 1),
                {SX, SY}
            end
         || {X, Y} <- Points
        ],
        ok = touch:close(P),
        %% (900, 300) is clamped to (479, 271) before the inversion.
        expect([{271, 0}, {0, 479}, {226, 123}, {0, 479}], Got)
    end).

subscribe_receives_batches() ->
    with_emul(fun(E) ->
        flush(),
        {ok, P} = touch:open([{format, full}, {max_batch, 2}]),
        ok = touch:subscribe(P),
        ok = touch:subscribe(P),
        Subs = stat(P, subscribers),
        touch(E, five_points()),
        Batches = receive_batches(5),
        Left = touch:read_events(P),
        touch(E, []),
        Ups = receive_batches(5),
        ok = touch:close(P),
        flush(),
        all_ok([
            expect(1, Subs),
            expect([2, 2, 1], [length(B) || B <- Batches]),
            expect(5, length([d || {touch, _, down, _, _, _, _} <- lists:append(Batches)])),
            expect(no_events, Left),
            expect(5, length([u || {touch, _, up, _, _, 0, _} <- lists:append(Ups)]))
        ])
    end).

unsubscribe_stops_batches() ->
    with_emul(fun(E) ->
        flush(),
        {ok, P} = touch:open(),
        ok = touch:subscribe(P),
        touch(E, [{10, 10, 3, ?DOWN, 1}]),
        First = receive_batches(1),
        ok = touch:unsubscribe(P),
        ok = touch:unsubscribe(P),
        touch(E, [{12, 10, 3, ?CONTACT, 1}]),
        Late =
            receive
                {touch_events, L} -> L
            after 200 -> none
            end,
        Pulled = strip_ts(read_n(P, 1)),
        Subs = stat(P, subscribers),
        ok = touch:close(P),
        all_ok([
            expect(1, length(First)),
            expect(none, Late),
            expect([{touch, 261, 12, 1}], Pulled),
            expect(0, Subs)
        ])
    end).

wait_flood(E, Tries) ->
    case port:call(E, flood_status) of
        {ok, _, done} -> ok;
        {ok, _, running} when Tries > 0 ->
            timer:sleep(20),
            wait_flood(E, Tries - 1);
        Other -> {flood, Other}
    end.

flood_overflows_with_exact_counts() ->
    with_emul(fun(E) ->
        {ok, P} = touch:open(),
        N = 200,
        ok = port:call(E, {flood, N, 1000}),
        ok = wait_flood(E, 250),
        timer:sleep(100),
        {ok, Raised, done} = port:call(E, flood_status),
        S = stats(P),
        G = fun(K) -> proplists:get_value(K, S) end,
        Seed = touch:get_stats(P),
        Read = length(read_n(P, ?RING + 1)),
        S2 = stats(P),
        G2 = fun(K) -> proplists:get_value(K, S2) end,
        ok = touch:close(P),
        io:format("flood: ~p~n", [S2]),
        all_ok([
            expect(N, Raised),
            %% get_stats answers the seed's {stats, Dropped}.
            expect({stats, G(dropped)}, Seed),
            expect(N, G(interrupts)),
            expect(N, G(irq_taken) + G(irq_dropped)),
            expect(G(events), G(pushed)),
            check(G(dropped) > 0, {no_overflow, S}),
            expect(?RING, G(high_water)),
            expect(G(pushed), ?RING + G(dropped)),
            expect(?RING, Read),
            expect(?RING, G2(delivered)),
            expect(G2(pushed), G2(delivered) + G2(dropped)),
            expect(0, G2(read_errors))
        ])
    end).

%% Every tick moves the contact one step along the controller's X (the screen's Y): the
%% subscriber must see strictly increasing Y, and every event offered to the ring is either
%% received or counted as dropped.
flood_to_a_subscriber_stays_in_order() ->
    with_emul(fun(E) ->
        flush(),
        {ok, P} = touch:open([{max_batch, 4}]),
        ok = touch:subscribe(P),
        N = 100,
        ok = port:call(E, {flood, N, 1000}),
        ok = wait_flood(E, 250),
        timer:sleep(100),
        Got = lists:append(receive_all([])),
        S = stats(P),
        G = fun(K) -> proplists:get_value(K, S) end,
        ok = touch:close(P),
        Ys = [Y || {touch, _, Y, _, _} <- Got],
        all_ok([
            expect(N, G(interrupts)),
            expect(G(delivered), length(Got)),
            expect(G(pushed), G(delivered) + G(dropped)),
            check(length(Got) > 0, no_events),
            expect(lists:usort(Ys), Ys),
            expect(length(Ys), length(lists:usort(Ys)))
        ])
    end).

receive_all(Acc) ->
    receive
        {touch_events, L} -> receive_all([L | Acc])
    after 200 -> lists:reverse(Acc)
    end.

bad_options() ->
    Bad = [
        [{format, bogus}],
        [{format, 1}],
        [{max_batch, 0}],
        [{max_batch, 65}],
        [{max_batch, many}],
        [{colour, red}],
        not_a_list,
        [format]
    ],
    Results = [touch:open(O) || O <- Bad],
    %% Each the port's own reason (atomvm_port:open/2), not only badarg.
    BadReasons = [
        {error, {badarg, format}},
        {error, {badarg, format}},
        {error, {out_of_range, max_batch}},
        {error, {out_of_range, max_batch}},
        {error, {badarg, max_batch}},
        {error, unknown_option},
        {error, badarg},
        {error, {badarg, format}}
    ],
    {ok, P} = touch:open(#{format => full, max_batch => 64}),
    Busy = touch:open(),
    ok = touch:close(P),
    all_ok([
        expect(BadReasons, Results),
        expect({error, busy}, Busy)
    ]).

bad_commands() ->
    {ok, P} = touch:open(),
    Replies = [
        port:call(P, bogus),
        port:call(P, {read_events, 1}),
        port:call(P, {subscribe, self()}),
        port:call(P, {get_stats, x, y}),
        port:call(P, {get_counters, 1}),
        port:call(P, 42),
        port:call(P, "read_events"),
        port:call(P, {})
    ],
    Still = touch:read_events(P),
    ok = touch:close(P),
    all_ok([
        check(lists:all(fun({error, _}) -> true; (_) -> false end, Replies), Replies),
        expect({error, unknown_command}, hd(Replies)),
        expect(no_events, Still)
    ]).

close_and_reopen() ->
    with_emul(fun(E) ->
        {ok, P1} = touch:open(),
        touch(E, [{40, 40, 4, ?DOWN, 2}]),
        _ = read_n(P1, 1),
        touch(E, [{41, 40, 4, ?CONTACT, 2}]),
        timer:sleep(20),
        ok = touch:close(P1),
        {ok, P2} = touch:open([{format, full}]),
        Fresh = touch:read_events(P2),
        Counts = {stat(P2, interrupts), stat(P2, pushed)},
        touch(E, [{42, 40, 4, ?CONTACT, 2}]),
        Again = strip_ts(read_n(P2, 1)),
        ok = touch:close(P2),
        all_ok([
            expect(no_events, Fresh),
            expect({0, 0}, Counts),
            %% A new tracker: the contact is new to it.
            expect([{touch, 4, down, 231, 42, 2}], Again)
        ])
    end).

dead_subscriber_is_removed() ->
    with_emul(fun(E) ->
        {ok, P} = touch:open(),
        Self = self(),
        Sub = spawn(fun() ->
            ok = touch:subscribe(P),
            Self ! {subscribed, self()},
            receive
                stop -> ok
            end
        end),
        receive
            {subscribed, Sub} -> ok
        after 1000 -> error(no_subscriber)
        end,
        Before = stat(P, subscribers),
        Ref = monitor(process, Sub),
        Sub ! stop,
        receive
            {'DOWN', Ref, process, Sub, _} -> ok
        after 1000 -> error(subscriber_alive)
        end,
        timer:sleep(20),
        After = stat(P, subscribers),
        touch(E, [{60, 60, 5, ?DOWN, 3}]),
        Pulled = strip_ts(read_n(P, 1)),
        ok = touch:close(P),
        all_ok([
            expect(1, Before),
            expect(0, After),
            expect([{touch, 211, 60, 3}], Pulled)
        ])
    end).

%% {device, Name}: a node label (atom, string or binary) or the node name; the default is the
%% chosen atomvm,touch. Unknown names are {error, no_device}, wrong types {error, {badarg, _}},
%% names too long {error, {out_of_range, _}}.
device_option() ->
    with_emul(fun(E) ->
        Opened = [
            begin
                {ok, P} = touch:open([{device, Name}]),
                touch(E, [{30, 30, 2, ?DOWN, 9}]),
                Got = strip_ts(read_n(P, 1)),
                touch(E, []),
                _ = read_n(P, 1),
                ok = touch:close(P),
                Got
            end
         || Name <- [touch_port, "touch_port", <<"touch-port">>]
        ],
        Bad = [
            touch:open([{device, Name}])
         || Name <- [nope, "touch", <<>>, 42, {touch_port}, [touch_port], lists:duplicate(60, $a)]
        ],
        {ok, P} = touch:open(),
        Still = touch:read_events(P),
        ok = touch:close(P),
        all_ok([
            expect(lists:duplicate(3, [{touch, 241, 30, 9}]), Opened),
            expect([
                {error, no_device},
                {error, no_device},
                {error, no_device},
                {error, {badarg, device}},
                {error, {badarg, device}},
                {error, {badarg, device}},
                {error, {out_of_range, device}}
            ], Bad),
            expect(no_events, Still)
        ])
    end).

input_bridge_read_events() ->
    with_emul(fun(E) ->
        {ok, P} = touch:open([{device, touch_input}, {format, full}]),
        bridge_touch(E, [{100, 50, 1, ?DOWN, 30}]),
        Down = strip_ts(read_n(P, 1)),
        bridge_touch(E, [{120, 60, 1, ?CONTACT, 30}]),
        bridge_touch(E, [{120, 60, 1, ?CONTACT, 30}]),
        Move = strip_ts(read_n(P, 1)),
        bridge_touch(E, []),
        [{touch, 0, up, 60, 120, 0, T}] = read_n(P, 1),
        Empty = touch:read_events(P),
        S = stats(P),
        ok = touch:close(P),
        all_ok([
            expect([{touch, 0, down, 50, 100, 1}], Down),
            %% The repeated report is no event.
            expect([{touch, 0, move, 60, 120, 1}], Move),
            check(is_integer(T) andalso T > 0, {timestamp, T}),
            expect(no_events, Empty),
            %% Each report: X, Y, BTN_TOUCH; the lift: BTN_TOUCH.
            expect({10, 3, 3, 0}, {
                proplists:get_value(inputs, S),
                proplists:get_value(events, S),
                proplists:get_value(pushed, S),
                proplists:get_value(interrupts, S)
            })
        ])
    end).

input_bridge_subscribe() ->
    with_emul(fun(E) ->
        {ok, P} = touch:open([{device, "touch-input"}, {max_batch, 2}]),
        ok = touch:subscribe(P),
        bridge_touch(E, [{10, 20, 0, ?DOWN, 1}]),
        [B1] = receive_batches(1),
        Moves = [bridge_touch(E, [{10 + I, 20, 0, ?CONTACT, 1}]) || I <- lists:seq(1, 5)],
        Batches = receive_batches(5),
        ok = touch:unsubscribe(P),
        ok = touch:close(P),
        flush(),
        Xs = [X || B <- Batches, {touch, X, _, _, _} <- B],
        all_ok([
            expect([{touch, 20, 10, 1}], strip_ts(B1)),
            expect(lists:duplicate(5, ok), Moves),
            %% Zephyr's driver swaps: the controller's Y is the screen's X, so X stays 20
            %% while Y moves 11..15.
            expect(lists:duplicate(5, 20), Xs),
            expect(lists:seq(11, 15), [Y || B <- Batches, {touch, _, Y, _, _} <- B]),
            check(lists:all(fun(B) -> length(B) =< 2 end, Batches), {batches, Batches})
        ])
    end).

%% Two open screens see only their own controller.
screens_are_separate() ->
    with_emul(fun(E) ->
        {ok, P1} = touch:open([{device, touch_input}]),
        {ok, P2} = touch:open(),
        touch(E, [{5, 5, 0, ?DOWN, 1}]),
        FromMain2 = strip_ts(read_n(P2, 1)),
        timer:sleep(20),
        FromMain1 = touch:read_events(P1),
        bridge_touch(E, [{7, 9, 0, ?DOWN, 1}]),
        FromBridge1 = strip_ts(read_n(P1, 1)),
        timer:sleep(20),
        FromBridge2 = touch:read_events(P2),
        touch(E, []),
        bridge_touch(E, []),
        _ = read_n(P1, 1),
        _ = read_n(P2, 1),
        ok = touch:close(P1),
        ok = touch:close(P2),
        all_ok([
            expect([{touch, 266, 5, 1}], FromMain2),
            expect(no_events, FromMain1),
            expect([{touch, 9, 7, 1}], FromBridge1),
            expect(no_events, FromBridge2)
        ])
    end).

%% The controller's reset (~205 ms, touch_second's first open) runs on the screen's drain
%% thread: the open answers at once, events start once the screen is ready.
open_answers_before_the_reset() ->
    with_emul(fun(E) ->
        T0 = erlang:monotonic_time(millisecond),
        {ok, P} = touch:open([{device, touch_second}, {format, full}]),
        Took = erlang:monotonic_time(millisecond) - T0,
        Early = stat(P, state),
        Ready = wait_state(P, ready),
        ReadyAfter = erlang:monotonic_time(millisecond) - T0,
        touch(E, second, [{700, 400, 1, ?DOWN, 7}]),
        Got = strip_ts(read_n(P, 1)),
        touch(E, second, []),
        _ = read_n(P, 1),
        ok = touch:close(P),
        all_ok([
            check(Took < 100, {open_took_ms, Took}),
            expect(starting, Early),
            expect(ready, Ready),
            check(ReadyAfter >= 200, {ready_after_ms, ReadyAfter}),
            expect([{touch, 1, down, 700, 400, 7}], Got)
        ])
    end).

%% Two Rust-driver screens open at once, events interleaved: each port gets exactly its own,
%% one pulled, one pushed, with its own counters.
two_screens_at_once() ->
    with_emul(fun(E) ->
        flush(),
        {ok, A} = touch:open([{format, full}]),
        {ok, B} = touch:open([{device, touch_second}, {format, full}, {max_batch, 2}]),
        ready = wait_state(B, ready),
        ok = touch:subscribe(B),
        touch(E, main, [{10, 10, 0, ?DOWN, 1}]),
        touch(E, second, [{100, 100, 2, ?DOWN, 3}]),
        touch(E, second, [{101, 100, 2, ?CONTACT, 3}]),
        touch(E, main, [{11, 10, 0, ?CONTACT, 1}]),
        touch(E, second, [{102, 100, 2, ?CONTACT, 3}]),
        touch(E, second, [{103, 100, 2, ?CONTACT, 3}]),
        touch(E, main, []),
        touch(E, second, []),
        FromA = strip_ts(read_n(A, 3)),
        FromB = strip_ts(lists:append(receive_batches(5))),
        MoreA = touch:read_events(A),
        LateB = receive_all([]),
        CA = stats(A),
        CB = stats(B),
        ok = touch:close(A),
        ok = touch:close(B),
        G = fun(C, K) -> proplists:get_value(K, C) end,
        Counts = fun(C) ->
            {G(C, interrupts), G(C, reads), G(C, events), G(C, pushed), G(C, delivered)}
        end,
        all_ok([
            expect([
                {touch, 0, down, 261, 10, 1},
                {touch, 0, move, 261, 11, 1},
                {touch, 0, up, 261, 11, 0}
            ], FromA),
            expect([
                {touch, 2, down, 100, 100, 3},
                {touch, 2, move, 101, 100, 3},
                {touch, 2, move, 102, 100, 3},
                {touch, 2, move, 103, 100, 3},
                {touch, 2, up, 103, 100, 0}
            ], FromB),
            expect(no_events, MoreA),
            expect([], LateB),
            expect({3, 3, 3, 3, 3}, Counts(CA)),
            expect({5, 5, 5, 5, 5}, Counts(CB)),
            expect({0, 1}, {G(CA, subscribers), G(CB, subscribers)})
        ])
    end).

%% A port closed while its doorbell is on the way never answers it; the next port on the
%% screen must still be rung (the doorbell starts afresh with each open).
closed_with_a_doorbell_in_flight_then_reopened() ->
    with_emul(fun(E) ->
        flush(),
        {ok, P1} = touch:open(),
        ok = touch:subscribe(P1),
        ok = port:call(E, {set_points, main, [{50, 50, 6, ?DOWN, 4}]}),
        %% The raise, then the close, both sent before either runs: the raise runs first and
        %% the drain thread rings P1, whose mailbox then holds the close before the doorbell.
        RaiseRef = make_ref(),
        E ! {'$call', {self(), RaiseRef}, {raise_int, main}},
        CloseRef = make_ref(),
        P1 ! {'$call', {self(), CloseRef}, close},
        ok = receive {RaiseRef, R} -> R after 1000 -> no_raise end,
        ok = receive {CloseRef, C} -> C after 1000 -> no_close end,
        Delivered1 = receive_all([]),
        {ok, P2} = touch:open(),
        ok = touch:subscribe(P2),
        touch(E, [{51, 50, 6, ?CONTACT, 4}]),
        Batches = receive_batches(1),
        touch(E, []),
        _ = receive_batches(1),
        ok = touch:close(P2),
        flush(),
        all_ok([
            %% P1 closed with the doorbell unanswered.
            expect([], Delivered1),
            %% A new tracker: the contact is new to it.
            expect([[{touch, 221, 51, 4}]], [strip_ts(B) || B <- Batches])
        ])
    end).

%% touch_broken's chip ID reads 0, which the driver's init refuses: the open succeeds (it
%% does not wait for the controller), the start fails on the drain thread, and the port says
%% so.
failed_start_is_reported() ->
    with_emul(fun(E) ->
        ok = port:call(E, {set_reg, broken, 16#A3, 0}),
        {ok, P} = touch:open([{device, touch_broken}]),
        State = wait_state(P, failed),
        Sub = touch:subscribe(P),
        Read = touch:read_events(P),
        Seed = touch:get_stats(P),
        ok = touch:close(P),
        %% Nothing stays taken: the screen opens again.
        {ok, P2} = touch:open([{device, touch_broken}]),
        ok = touch:close(P2),
        all_ok([
            expect(failed, State),
            expect({error, init_failed}, Sub),
            expect({error, init_failed}, Read),
            expect({stats, 0}, Seed)
        ])
    end).

%% Refused opens take nothing: the screen stays usable, and every monitor resource is released
%% (the VM's last line counts them).
failed_opens_take_nothing() ->
    with_emul(fun(E) ->
        flush(),
        {ok, P} = touch:open(),
        Refused = [
            touch:open(),
            touch:open([{device, touch_port}]),
            touch:open([{device, "touch-port"}]),
            touch:open([{device, nope}]),
            touch:open([{format, bogus}])
        ],
        ok = touch:subscribe(P),
        ok = touch:close(P),
        {ok, P2} = touch:open(),
        ok = touch:subscribe(P2),
        touch(E, [{20, 20, 1, ?DOWN, 2}]),
        Batches = receive_batches(1),
        touch(E, []),
        _ = receive_batches(1),
        ok = touch:close(P2),
        all_ok([
            expect([
                {error, busy},
                {error, busy},
                {error, busy},
                {error, no_device},
                {error, {badarg, format}}
            ], Refused),
            expect([[{touch, 251, 20, 2}]], [strip_ts(B) || B <- Batches])
        ])
    end).
