%% SPDX-License-Identifier: Apache-2.0
-module(demo).
-export([start/0]).

start() ->
    io:format("~s~n", [helper:greeting()]),
    ok.
