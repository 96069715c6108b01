%% SPDX-License-Identifier: Apache-2.0
%%
%% Compiled by tests/atomvm_app's build into app_prebuilt.beam, which the app takes as a
%% precompiled .beam (not as an .erl source).
-module(app_prebuilt).
-export([checksum/1]).

%% Fletcher-16 of a binary: real work, with a literal table and a binary match.
checksum(Bin) when is_binary(Bin) -> checksum(Bin, 0, 0).

checksum(<<B, Rest/binary>>, A, S) ->
    A1 = (A + B) rem 255,
    checksum(Rest, A1, (S + A1) rem 255);
checksum(<<>>, A, S) ->
    {fletcher16, (S bsl 8) bor A}.
