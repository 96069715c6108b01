%% SPDX-License-Identifier: Apache-2.0
%%
%% BEAM assembly, compiled by atomvm_app() with erlc like any source.
%% differs/2 uses is_ne (arithmetic /=), an instruction today's compilers never emit
%% (they turn A /= B into is_eq with the branches swapped): one reason to write assembly.
%% scale/1 multiplies an integer by 3; anything else gives not_integer.
{module, app_asm}.
{exports, [{differs, 2}, {scale, 1}]}.
{attributes, []}.
{labels, 7}.

{function, differs, 2, 2}.
{label, 1}.
{func_info, {atom, app_asm}, {atom, differs}, 2}.
{label, 2}.
{test, is_ne, {f, 3}, [{x, 0}, {x, 1}]}.
{move, {atom, true}, {x, 0}}.
return.
{label, 3}.
{move, {atom, false}, {x, 0}}.
return.

{function, scale, 1, 5}.
{label, 4}.
{func_info, {atom, app_asm}, {atom, scale}, 1}.
{label, 5}.
{test, is_integer, {f, 6}, [{x, 0}]}.
{gc_bif, '*', {f, 0}, 1, [{x, 0}, {integer, 3}], {x, 0}}.
return.
{label, 6}.
{move, {atom, not_integer}, {x, 0}}.
return.
