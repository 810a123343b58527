#!/usr/bin/env bash
# Run a command with the local stack up, and always take the stack down afterwards.
#   deploy/with-stack.sh .venv/bin/pytest tests
# Exits with the command's exit code (or 1 if the stack could not be started).
# A stack that was already fully running (someone else's, on a shared machine) is used and left running.
set -euo pipefail

stack="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/stack.sh"

if bash "$stack" status >/dev/null 2>&1; then
  echo "[with-stack] stack already running: using it and leaving it up" >&2
else
  # Set before `up`, so a half-started stack (say Kafka up, Prometheus failed) is still taken down.
  trap 'bash "$stack" down || true' EXIT
fi
trap 'exit 130' INT
trap 'exit 143' TERM

if ! bash "$stack" up >/dev/null; then
  # A start can fail for reasons outside this repository (a port briefly held, a slow JVM start). Say so, take
  # down whatever half-started, and try once more; a second failure ends the run with both errors printed above.
  echo "[with-stack] the stack did not start; taking it down and trying once more" >&2
  bash "$stack" down >/dev/null || true
  bash "$stack" up >/dev/null
fi
# Point the tests and services at what `up` started (the ports honour the same variables as stack.sh).
eval "$(bash "$stack" env)"

rc=0
"$@" || rc=$?
exit "$rc"
