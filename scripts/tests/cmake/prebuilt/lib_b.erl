%% SPDX-License-Identifier: Apache-2.0
-module(lib_b).
-export([name/0]).

name() -> lib_b.
