#!/usr/bin/env bash
# Runs a command as on a fresh laptop with only Node: PATH keeps node, npm and the ordinary system
# tools but hides terraform and every validator the tests can use, and CI is unset, so tool tests
# must skip loudly instead of failing. `.ci/run` runs the test suite through it.
#   usage: scripts/without-tools.sh COMMAND [ARG...]
set -euo pipefail
# The tools the tests run when present (Debian packages and terraform).
hidden=(terraform tofu cloud-init promtool amtool prometheus prometheus-alertmanager shellcheck sshd
  systemd-analyze sfdisk mkfs.ext4 blkid e2label hcloud rclone dot actionlint jq)
dir=$(mktemp -d "${TMPDIR:-/tmp}/without-tools.XXXXXX")
chmod 0755 "$dir"
trap 'rm -rf "$dir"' EXIT
IFS=: read -r -a parts <<< "$PATH"
for d in "${parts[@]}"; do
  [ -d "$d" ] || continue
  for f in "$d"/*; do
    b=${f##*/}
    [ -e "$dir/$b" ] && continue
    for h in "${hidden[@]}"; do [ "$b" = "$h" ] && continue 2; done
    [ -x "$f" ] && [ ! -d "$f" ] && ln -s "$f" "$dir/$b"
  done
done
env -u CI PATH="$dir" "$@"
