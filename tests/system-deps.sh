#!/bin/sh
# System packages the test suite needs beyond Python: Debian's Chromium (the HTML report and the
# browser desk, driven by Playwright with /usr/bin/chromium) and tmux (the desk app driven as a
# person would, in a real terminal). Installs what is missing (as root, or through passwordless
# sudo); says what to do otherwise. The tests that need them fail, never skip, without them.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "tests/system-deps.sh: missing:$missing; install first: sudo apt-get install$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$sudo apt-get install -y -q $missing >/dev/null 2>&1 || {
  $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q $missing >/dev/null
}
command -v chromium >/dev/null 2>&1 && command -v tmux >/dev/null 2>&1
