%% SPDX-License-Identifier: Apache-2.0
%% Compiled by this build into pre.beam, which the mixed app takes as a prebuilt .beam.
-module(pre).
-export([value/0]).

value() -> prebuilt.
