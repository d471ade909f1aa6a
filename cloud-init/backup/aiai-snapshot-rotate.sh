#!/bin/bash
# aiai-snapshot-rotate: take a Hetzner snapshot of every selected server, then delete that server's
# oldest rotation snapshots so that the newest SNAPSHOT_KEEP remain. Run by
# aiai-snapshot-rotate.timer; configured by the unit's Environment= lines:
#   SERVER_SELECTOR    label selector of the servers to snapshot
#   SNAPSHOT_KEEP      snapshots kept per server (a positive integer)
#   SNAPSHOT_OF_LABEL  label key naming the source server on each snapshot
#   SNAPSHOT_LABELS    space-separated key=value labels put on (and required of) rotated snapshots
# The API token is read from the systemd credential "hcloud-token" ($CREDENTIALS_DIRECTORY), so it
# never appears in the unit, the environment of other processes or cloud-init.
# (hcloud prints `null`, not `[]`, for an empty list: the jq filters allow for it.)
# Only snapshots carrying SNAPSHOT_OF_LABEL and all SNAPSHOT_LABELS are ever deleted: manual
# snapshots are left alone. A server whose new snapshot fails keeps all its old ones.
set -euo pipefail

: "${SERVER_SELECTOR:?SERVER_SELECTOR is not set}"
: "${SNAPSHOT_KEEP:?SNAPSHOT_KEEP is not set}"
: "${SNAPSHOT_OF_LABEL:?SNAPSHOT_OF_LABEL is not set}"
SNAPSHOT_LABELS="${SNAPSHOT_LABELS:-}"

if ! [[ "$SNAPSHOT_KEEP" =~ ^[1-9][0-9]*$ ]]; then
  echo "SNAPSHOT_KEEP must be a positive integer, got '$SNAPSHOT_KEEP'" >&2
  exit 2
fi

token_file="${CREDENTIALS_DIRECTORY:?no systemd credentials (LoadCredential=hcloud-token:...)}/hcloud-token"
if [[ ! -s "$token_file" ]]; then
  echo "hcloud token credential $token_file is missing or empty (secret not delivered yet?)" >&2
  exit 1
fi
HCLOUD_TOKEN="$(tr -d '\r\n' < "$token_file")"
export HCLOUD_TOKEN

# hcloud wants a config file; use an empty private one instead of $HOME.
if [[ -z "${HCLOUD_CONFIG:-}" ]]; then
  HCLOUD_CONFIG="$(mktemp)"
  export HCLOUD_CONFIG
  trap 'rm -f "$HCLOUD_CONFIG"' EXIT
fi

label_args=()
label_selector=""
for label in $SNAPSHOT_LABELS; do
  label_args+=(--label "$label")
  label_selector+=",$label"
done

timestamp="$(date -u +%Y%m%dT%H%M%SZ)"
servers="$(hcloud server list --selector "$SERVER_SELECTOR" -o json | jq -r '(. // [])[] | "\(.id) \(.name)"')"
if [[ -z "$servers" ]]; then
  echo "no server matches selector '$SERVER_SELECTOR'; nothing to do"
  exit 0
fi

failures=0
while read -r server_id server_name; do
  echo "snapshot of $server_name ($server_id)"
  if ! hcloud server create-image --type snapshot \
      --description "$server_name-$timestamp" \
      --label "$SNAPSHOT_OF_LABEL=$server_name" "${label_args[@]}" \
      "$server_id" < /dev/null; then
    echo "snapshot of $server_name failed; keeping its old snapshots" >&2
    failures=$((failures + 1))
    continue
  fi
  old_ids="$(hcloud image list --type snapshot --selector "$SNAPSHOT_OF_LABEL=$server_name$label_selector" -o json < /dev/null \
    | jq -r --argjson keep "$SNAPSHOT_KEEP" '. // [] | sort_by(.created, .id) | reverse | .[$keep:] | .[].id')"
  for image_id in $old_ids; do
    echo "deleting old snapshot $image_id of $server_name"
    if ! hcloud image delete "$image_id" < /dev/null; then
      echo "could not delete snapshot $image_id" >&2
      failures=$((failures + 1))
    fi
  done
done <<< "$servers"

if ((failures > 0)); then
  echo "$failures step(s) failed" >&2
  exit 1
fi
echo "snapshot rotation done"
