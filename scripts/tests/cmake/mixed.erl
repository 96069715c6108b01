%% SPDX-License-Identifier: Apache-2.0
-module(mixed).
-export([start/0]).

start() -> {scaler:scale(2), pre:value(), lib_a:name(), lib_b:name()}.
