#!/bin/sh
# aiai-alertmanager-config TEMPLATE OUTPUT
#
# Writes Alertmanager's effective config OUTPUT from TEMPLATE (/etc/prometheus/alertmanager.yml,
# which holds no secret): every line `url_file: PATH` or `api_url_file: PATH` becomes `url: URL`
# or `api_url: URL`, with URL read from the file PATH (a systemd credential). Everything else is
# copied unchanged. Why: Alertmanager 0.26 (Ubuntu 24.04) panics on any non-2xx answer of a webhook
# configured with url_file (fixed in 0.28), so the webhook gets its URL inline.
#
# Run by prometheus-alertmanager.service (ExecStartPre= and ExecReload=) as the service user; OUTPUT
# is in the unit's private RuntimeDirectory= and is written 0600.
#
# The URL never passes through the shell, the environment or a command line: awk reads the file and
# writes the value as a YAML single-quoted scalar, inside which the only special character is the
# single quote (written twice). So quotes, backslashes, &, #, $(...) and non-ASCII text stay
# verbatim. Whitespace around the URL is trimmed (as Alertmanager does for url_file); an unreadable
# or empty file, or a URL with a line break or another control character, is refused. Error
# messages name the file, never its content.
set -eu

me=aiai-alertmanager-config
if [ "$#" -ne 2 ]; then
  echo "usage: $me TEMPLATE OUTPUT" >&2
  exit 2
fi
template=$1
output=$2
if [ ! -r "$template" ]; then
  echo "$me: cannot read the template $template" >&2
  exit 1
fi

umask 077
tmp="$output.tmp.$$"
trap 'rm -f "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

LC_ALL=C awk -v me="$me" -v q="'" '
function fail(msg) {
  printf "%s: %s\n", me, msg > "/dev/stderr"
  failed = 1
  exit 1
}
function quoted_url(path,    line, n, r, s) {
  s = ""
  n = 0
  while ((r = (getline line < path)) > 0) {
    if (n++) s = s "\n"
    s = s line
  }
  if (r < 0) fail("cannot read " path " (secret not delivered yet, or no LoadCredential= for it?)")
  close(path)
  sub(/^[[:space:]]+/, "", s)
  sub(/[[:space:]]+$/, "", s)
  if (s == "") fail(path " is empty: it must hold one URL")
  if (s ~ /[\n\r]/) fail(path " has more than one line: it must hold one URL")
  if (s ~ /[[:cntrl:]]/) fail(path " contains a control character: it must hold one URL")
  gsub(q, q q, s)
  return q s q
}
{
  if (match($0, /^ *(- )?(api_)?url_file:/)) {
    key = substr($0, 1, RLENGTH)
    path = substr($0, RLENGTH + 1)
    sub(/^ +/, "", path)
    if (path !~ /^\/[A-Za-z0-9._\/-]+$/) fail("line " NR " of the template: the url_file value is not a plain absolute path")
    sub(/_file:$/, ":", key)
    print key " " quoted_url(path)
    replaced++
    next
  }
  print
}
END {
  if (failed) exit 1
  if (!replaced) fail("no url_file or api_url_file line in the template")
}
' "$template" >"$tmp"

mv -f "$tmp" "$output"
