%% SPDX-License-Identifier: Apache-2.0
%% Exports start/0 too: the START argument, not PackBEAM's default, must pick the entry.
-module(helper).
-export([start/0, greeting/0]).

start() -> console:puts(greeting()).

greeting() -> "hello from the demo".
