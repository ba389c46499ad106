#!/bin/sh
# The man page must be lint-clean.
: "${top_srcdir:=.}"
if ! command -v mandoc >/dev/null 2>&1; then
	echo "skip: mandoc not installed (apt-get install mandoc)"
	exit 77
fi
out=$(mandoc -Tlint -Wwarning "$top_srcdir/man/tubes.1" 2>&1)
if [ -n "$out" ]; then
	echo "$out"
	exit 1
fi
exit 0
