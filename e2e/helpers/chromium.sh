#!/usr/bin/env bash
# Debian's chromium for Playwright, with one --disable-features switch.
#
# Chromium keeps only the LAST --disable-features on its command line. Playwright passes its
# own list (translation, media router, ...), so a second switch from playwright.config.ts
# would silently drop it; this wrapper merges every --disable-features it is given into one.
#
# What we add (playwright.config.ts): Chromium 15x's headless mode builds and preloads the
# omnibox popup and other toolbar parts as WebUI pages, in a renderer of their own, for every
# new window: every browser context a test opens. Nothing in a headless test ever shows them,
# and they cost about half a second of CPU and wall time per context on 2 cores.
set -euo pipefail
real="${PORTAL_REAL_CHROMIUM:-/usr/bin/chromium}"
features=()
args=()
for arg in "$@"; do
  case "$arg" in
    --disable-features=*) features+=("${arg#--disable-features=}") ;;
    *) args+=("$arg") ;;
  esac
done
if [ "${#features[@]}" -gt 0 ]; then
  joined="$(IFS=,; echo "${features[*]}")"
  args+=("--disable-features=$joined")
fi
exec "$real" "${args[@]}"
