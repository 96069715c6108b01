%% SPDX-License-Identifier: Apache-2.0
%%
%% One of the two modules of app_lib.avm, the library archive tests/atomvm_app's build packs
%% before the app. Its start/0 makes PackBEAM (and avm_pack.py) flag it as an entry point;
%% the app's START must win over that flag, so this must never run.
-module(app_lib_main).
-export([start/0, greet/1]).

start() ->
    io:format("FAIL the library's start/0 ran instead of the app's~n"),
    erlang:error(wrong_start_module).

greet(Name) -> app_lib_util:join(["hello", Name], " ").
