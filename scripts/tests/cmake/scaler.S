%% SPDX-License-Identifier: Apache-2.0
%% BEAM assembly, compiled by atomvm_app() with erlc as any .S source.
%% scale(X) -> X * 3 for an integer X, else the atom not_integer.
{module, scaler}.
{exports, [{scale, 1}]}.
{attributes, []}.
{labels, 4}.

{function, scale, 1, 2}.
{label, 1}.
{func_info, {atom, scaler}, {atom, scale}, 1}.
{label, 2}.
{test, is_integer, {f, 3}, [{x, 0}]}.
{gc_bif, '*', {f, 0}, 1, [{x, 0}, {integer, 3}], {x, 0}}.
return.
{label, 3}.
{move, {atom, not_integer}, {x, 0}}.
return.
