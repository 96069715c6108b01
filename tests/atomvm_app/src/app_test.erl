%% SPDX-License-Identifier: Apache-2.0
%%
%% The start module of tests/atomvm_app: calls into each kind of source atomvm_app() packed
%% beside it (BEAM assembly, a precompiled .beam, an .avm library) on the device. That this
%% module runs at all shows START won over the library's own start flag (app_lib_main).
-module(app_test).
-export([start/0]).

start() ->
    avm_test:run("atomvm_app", [
        fun assembly_module/0,
        fun prebuilt_beam/0,
        fun library_archive/0
    ]).

assembly_module() ->
    Got = {app_asm:scale(7), app_asm:scale(x), app_asm:differs(1, 1.0), app_asm:differs(1, 2)},
    avm_test:expect({21, not_integer, false, true}, Got).

prebuilt_beam() ->
    %% Fletcher-16 of "abcde" is 0xC8F0.
    avm_test:expect({fletcher16, 16#C8F0}, app_prebuilt:checksum(<<"abcde">>)).

library_archive() ->
    avm_test:expect("hello zephyr", app_lib_main:greet("zephyr")).
