%% SPDX-License-Identifier: Apache-2.0
%%
%% A gen_server (from AtomVM's estdlib) that counts.
-module(counter).
-behaviour(gen_server).

-export([start_link/0, bump/1, value/1, stop/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).

start_link() -> gen_server:start_link(?MODULE, 0, []).
bump(Pid) -> gen_server:call(Pid, bump).
value(Pid) -> gen_server:call(Pid, value).
stop(Pid) -> gen_server:stop(Pid).

init(Count) -> {ok, Count}.
handle_call(bump, _From, Count) -> {reply, ok, Count + 1};
handle_call(value, _From, Count) -> {reply, Count, Count};
handle_call(_Other, _From, Count) -> {reply, {error, unknown_call}, Count}.
handle_cast(_Msg, Count) -> {noreply, Count}.
handle_info(_Msg, Count) -> {noreply, Count}.
terminate(_Reason, _Count) -> ok.
