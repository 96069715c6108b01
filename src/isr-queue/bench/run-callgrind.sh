#!/usr/bin/env bash
# Counts instructions per queue operation for isr-queue, heapless::spsc (0.9 and 0.8) and
# rtrb in one callgrind run of benches/icount.rs, and prints them with ratios against
# heapless 0.9. Counts are deterministic for a given binary, whatever the machine's load.
#
# Usage: src/isr-queue/bench/run-callgrind.sh   (needs valgrind; from any directory)
set -euo pipefail

cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }

# Without debug info callgrind attributes every instruction of a case, inlined code included,
# to the case function itself.
exe=$(CARGO_PROFILE_BENCH_DEBUG=false cargo bench -q -p isr-queue --bench icount --no-run \
    --message-format=json | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$exe" ] || { echo "could not build the icount bench" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" "$exe" >"$out/stdout" \
    2>"$out/valgrind.log" || { cat "$out/valgrind.log" >&2; exit 1; }
callgrind_annotate --inclusive=yes --threshold=100 "$out/callgrind.out" >"$out/annotate"

# "   31,009 ( 0.19%)  ???:icount::case_ours_push_pop [...]" -> "ours_push_pop 31009"
sed -n 's/^ *\([0-9,]*\) .*icount::case_\([a-z0-9_]*\).*/\2 \1/p' "$out/annotate" | tr -d , |
    awk -v config="$(cat "$out/stdout")" '
    BEGIN {
        split(config, kv, /[ =]/)
        rounds = kv[2]; batch = kv[4]
    }
    { ir[$1] = $2 }
    function per(name, ops) {
        if (!(name in ir)) { print "missing case " name > "/dev/stderr"; exit 1 }
        return ir[name] / ops
    }
    function row(label, base, ours, heapless08, rtrb) {
        printf "| %-32s | %9.2f | %9.2f %6.2fx | %9.2f %6.2fx | %9.2f %6.2fx |\n", label,
            base, ours, ours / base, heapless08, heapless08 / base, rtrb, rtrb / base
    }
    END {
        printf "Instructions per operation (x86_64, callgrind); ratio against heapless 0.9.\n\n"
        printf "| %-32s | %9s | %16s | %16s | %16s |\n", "operation", "heapless", "isr-queue",
            "heapless 0.8", "rtrb"
        d = "-----------------"
        printf "|%s|%s:|%s:|%s:|%s:|\n", d d, "----------", d, d, d
        n = rounds * batch
        pop = per("heapless09_pop64", n)
        row("push + pop, per pair", per("heapless09_push_pop", rounds),
            per("ours_push_pop", rounds), per("heapless08_push_pop", rounds),
            per("rtrb_push_pop", rounds))
        row("64 x pop, per item", pop, per("ours_pop64", n), per("heapless08_pop64", n),
            per("rtrb_pop64", n))
        row("drain 64 into a slice, per item", pop, per("ours_drain_into64", n),
            per("heapless08_pop64", n), per("rtrb_read_chunk64", n))
        row("drain 64 as iterator, per item", pop, per("ours_drain_iter64", n),
            per("heapless08_pop64", n), per("rtrb_chunk_iter64", n))
        printf "\nheapless has no batch read: its drain rows repeat its pops. rtrb drains with "
        printf "read_chunk.\n\nisr-queue, draining 64 against 64 pops, per item: "
        printf "drain_into %.3f, drain() %.3f (target: <= 0.25)\n",
            per("ours_drain_into64", n) / per("ours_pop64", n),
            per("ours_drain_iter64", n) / per("ours_pop64", n)
    }'
