#!/usr/bin/env bash
# Renders a stancer report.html in headless Chromium (Debian's `chromium` package), saves a
# screenshot, and checks that the page loads without console errors and that its charts are
# in the rendered DOM. Run by hand (CI has no Chromium; tests/eval_report.rs checks the markup).
#
#   scripts/check_report_html.sh eval/reports/missile-shield/missile-shield-exemplars/report.html [shot.png]
#
# Exit status 0 when: 3 <svg> charts, heatmap cells = labels², one F1 bar per label, at least
# one reliability bin, no <script>, and no console error in Chromium's log.
set -euo pipefail

html=${1:?usage: $0 REPORT.html [SCREENSHOT.png]}
shot=${2:-${html%.html}.png}
command -v chromium >/dev/null || { echo "chromium not found: apt-get install -y chromium" >&2; exit 2; }
[ -f "$html" ] || { echo "$html: no such file" >&2; exit 2; }
url="file://$(realpath "$html")"
shot=$(realpath -m "$shot")
profile=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$profile" "$log" "$log.dom"' EXIT

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile"
  --enable-logging=stderr --v=0)
chromium "${flags[@]}" --window-size=1200,2000 --screenshot="$shot" "$url" 2>"$log" >/dev/null
chromium "${flags[@]}" --dump-dom "$url" 2>>"$log" >"$log.dom"

count() { { grep -o "$1" "$log.dom" || true; } | wc -l; }
svgs=$(count '<svg')
cells=$(count '<rect class="cell"')
bars=$(count '<rect class="bar"')
bins=$(count '<rect class="bin"')
scripts=$(count '<script')
console=$(grep -c 'CONSOLE' "$log" || true)
errors=$(grep -Ei 'CONSOLE.*(error|uncaught)|ERR_FILE|Failed to load' "$log" | grep -v 'dbus' || true)

echo "screenshot: $shot ($(stat -c %s "$shot") bytes)"
echo "rendered DOM: svg=$svgs heatmap cells=$cells bars=$bars reliability bins=$bins scripts=$scripts"
echo "console messages: $console"
fail=0
[ "$svgs" -eq 3 ] || { echo "FAIL: expected 3 <svg> charts" >&2; fail=1; }
# One F1 bar per label, so the heatmap must hold bars² cells.
[ "$bars" -gt 0 ] && [ "$cells" -eq $((bars * bars)) ] || { echo "FAIL: heatmap cells $cells != labels² ($bars²)" >&2; fail=1; }
[ "$bins" -gt 0 ] || { echo "FAIL: no reliability bins" >&2; fail=1; }
[ "$scripts" -eq 0 ] || { echo "FAIL: the report holds scripts" >&2; fail=1; }
[ -z "$errors" ] || { echo "FAIL: console errors:" >&2; echo "$errors" >&2; fail=1; }
[ -s "$shot" ] || { echo "FAIL: no screenshot" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "OK: $html renders with its charts and no console errors"
exit "$fail"
