#!/bin/sh
# run_golden.sh - runs one golden IR test (see CMakeLists.txt here).
#
#   run_golden.sh [--update] SPCC_OPT FILE.ir [WORKDIR]
#
# The input is FILE.ir up to its `# EXPECT` line (copied to WORKDIR under the
# same name, so diagnostics keep FILE.ir's line numbers); spcc-opt runs the
# passes of the `# RUN:` line on it, and its output must equal the text after
# `# EXPECT:` byte for byte. With `# EXPECT-ERROR: text` it must exit 1 and
# print text on stderr. --update replaces the expected text with the output.
set -u
update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
if [ $# -lt 2 ]; then
  echo "usage: run_golden.sh [--update] SPCC_OPT FILE.ir [WORKDIR]" >&2
  exit 2
fi
opt=$1
file=$2
work=${3:-${TMPDIR:-/tmp}}
name=$(basename "$file")
dir="$work/golden-work"
mkdir -p "$dir" || exit 2

run=$(sed -n 's/^# RUN:[ ]*//p' "$file" | head -n 1)
if ! grep -q '^# RUN:' "$file"; then
  echo "$file: no '# RUN:' line" >&2
  exit 2
fi
mark=$(grep -n '^# EXPECT' "$file" | head -n 1 | cut -d: -f1)
if [ -z "$mark" ]; then
  echo "$file: no '# EXPECT:' or '# EXPECT-ERROR:' line" >&2
  exit 2
fi
head -n $((mark - 1)) "$file" > "$dir/$name"
sed -n "$((mark + 1)),\$p" "$file" > "$dir/$name.expected"
want_error=$(sed -n "${mark}s/^# EXPECT-ERROR:[ ]*//p" "$file")
is_error=0
if sed -n "${mark}p" "$file" | grep -q '^# EXPECT-ERROR:'; then is_error=1; fi

if [ "$run" = "none" ] || [ -z "$run" ]; then
  "$opt" "$dir/$name" > "$dir/$name.out" 2> "$dir/$name.err"
else
  "$opt" -p "$run" "$dir/$name" > "$dir/$name.out" 2> "$dir/$name.err"
fi
rc=$?

if [ $is_error = 1 ]; then
  if [ $rc -ne 1 ]; then
    echo "$file: expected spcc-opt to fail (exit 1), got exit $rc" >&2
    cat "$dir/$name.err" >&2
    exit 1
  fi
  if ! grep -qF -- "$want_error" "$dir/$name.err"; then
    echo "$file: expected an error containing: $want_error" >&2
    echo "got:" >&2
    cat "$dir/$name.err" >&2
    exit 1
  fi
  exit 0
fi

if [ $rc -ne 0 ]; then
  echo "$file: spcc-opt -p '$run' failed (exit $rc):" >&2
  cat "$dir/$name.err" >&2
  exit 1
fi
if [ $update = 1 ]; then
  { head -n "$mark" "$file"; cat "$dir/$name.out"; } > "$dir/$name.new" &&
    mv "$dir/$name.new" "$file"
  echo "updated $file"
  exit 0
fi
if ! diff -u "$dir/$name.expected" "$dir/$name.out"; then
  echo "$file: output differs from the expected IR (run_golden.sh --update to accept)" >&2
  exit 1
fi
exit 0
