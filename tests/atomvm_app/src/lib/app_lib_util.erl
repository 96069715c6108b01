%% SPDX-License-Identifier: Apache-2.0
-module(app_lib_util).
-export([join/2]).

join([], _Sep) -> "";
join([H], _Sep) -> H;
join([H | T], Sep) -> H ++ Sep ++ join(T, Sep).
