%% SPDX-License-Identifier: Apache-2.0
%% Packed by this build into lib.avm, which the mixed app takes as a prebuilt library.
-module(lib_a).
-export([start/0, name/0]).

%% A library module with start/0: its start flag must give way to the app's START.
start() -> lib_b:name().

name() -> lib_a.
