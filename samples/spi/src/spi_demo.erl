%% SPDX-License-Identifier: Apache-2.0
%%
%% The `spi' port's sample: opens the board's chosen `atomvm,spi' bus with the device node
%% labelled `accel' on it (boards/*.overlay: an LIS3DH on a real board, the register-file
%% emulator posing as one on native_sim and mps2/an385), detects the LIS3DH, configures it and
%% prints ten readings, one per data-ready sample at 5 Hz. The driver (lis3dh.erl) knows only
%% AtomVM's `spi' API.
-module(spi_demo).
-export([start/0]).

-define(READINGS, 10).
-define(PERIOD_MS, 200).

start() ->
    SPI = spi:open([{device_config, [{accel, [{device, "accel"} | lis3dh:device_options()]}]}]),
    case lis3dh:who_am_i(SPI, accel) of
        {ok, Id} -> io:format("lis3dh: WHO_AM_I 0x~s~n", [integer_to_list(Id, 16)]);
        {error, _} -> ok
    end,
    Result =
        case lis3dh:open(SPI, accel) of
            {ok, Sensor} ->
                io:format("lis3dh: found, ~s~n", [describe(lis3dh:settings(Sensor))]),
                run(Sensor);
            {error, Reason} ->
                io:format("lis3dh: not found: ~p~n", [Reason]),
                {error, Reason}
        end,
    ok = spi:close(SPI),
    Result.

run(Sensor0) ->
    case lis3dh:configure(Sensor0, #{odr => 50, range => 2, resolution => high_resolution}) of
        {ok, Sensor} ->
            io:format("lis3dh: configured, ~s~n", [describe(lis3dh:settings(Sensor))]),
            read(Sensor, 1);
        {error, Reason} ->
            io:format("lis3dh: configure failed: ~p~n", [Reason]),
            {error, Reason}
    end.

read(_Sensor, N) when N > ?READINGS ->
    io:format("lis3dh: done, ~b readings~n", [?READINGS]),
    ok;
read(Sensor, N) ->
    timer:sleep(?PERIOD_MS),
    case wait_ready(Sensor, 10) of
        ok ->
            case lis3dh:acceleration(Sensor) of
                {ok, {X, Y, Z}} ->
                    io:format("lis3dh: reading ~b: x=~b y=~b z=~b mg~n", [N, X, Y, Z]),
                    read(Sensor, N + 1);
                {error, Reason} ->
                    io:format("lis3dh: read failed: ~p~n", [Reason]),
                    {error, Reason}
            end;
        {error, Reason} ->
            io:format("lis3dh: no data: ~p~n", [Reason]),
            {error, Reason}
    end.

%% At 50 Hz a sample is there within 20 ms; waits up to `Tries' x 20 ms.
wait_ready(_Sensor, 0) ->
    {error, not_ready};
wait_ready(Sensor, Tries) ->
    case lis3dh:data_ready(Sensor) of
        {ok, true} -> ok;
        {ok, false} -> timer:sleep(20), wait_ready(Sensor, Tries - 1);
        Error -> Error
    end.

describe(#{odr := Odr, range := Range, resolution := Resolution}) ->
    Rate = case Odr of power_down -> "power-down"; _ -> integer_to_list(Odr) ++ " Hz" end,
    lists:flatten(io_lib:format("~s, +-~b g, ~p", [Rate, Range, Resolution])).
