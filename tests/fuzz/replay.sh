#!/bin/sh
# Replay every fuzz target over its committed corpus (tests/fuzz/corpus/NAME).
: "${top_srcdir:=.}" "${top_builddir:=.}"
rc=0
for corpus in "$top_srcdir"/tests/fuzz/corpus/*/; do
	name=$(basename "$corpus")
	bin="$top_builddir/tests/fuzz/replay_$name"
	if [ ! -x "$bin" ]; then
		echo "missing replay binary for $name: $bin"
		rc=1
		continue
	fi
	printf '%s: ' "$name"
	"$bin" "$corpus" || { echo "replay of $name failed"; rc=1; }
done
exit $rc
