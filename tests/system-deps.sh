#!/bin/sh
# System packages the test suite needs beyond Python: Debian's Chromium, for the browser tests
# (the HTML report and the browser desk, driven by Playwright with /usr/bin/chromium).
# Installs it when missing (as root, or through passwordless sudo); says what to do otherwise.
set -eu
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "tests/system-deps.sh: Chromium is missing; install it first: sudo apt-get install chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q chromium >/dev/null 2>&1 || {
  $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null
}
command -v chromium >/dev/null 2>&1
