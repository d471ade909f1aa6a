#!/bin/bash
# aiai-offsite-backup: copy what cannot be rebuilt from git to the backups bucket on Hetzner Object
# Storage. Run by aiai-offsite-backup.timer; configured by the unit's Environment= lines:
#   BACKUP_BUCKET        bucket name
#   S3_ENDPOINT          https://<location>.your-objectstorage.com
#   S3_REGION            the location (fsn1, nbg1, hel1)
#   BACKUP_HOST          first part of every object key (the host name)
#   GIT_REPOSITORIES     space-separated repository paths to bundle (git bundle --all)   [optional]
#   CONFIG_PATHS         space-separated files/directories to archive (tar.gz)           [optional]
#   EXCLUDE_PATHS        space-separated paths never archived (the secrets directory)    [optional]
#   PROMETHEUS_URL       e.g. http://127.0.0.1:9090: take a TSDB snapshot via the admin API [optional]
#   PROMETHEUS_DATA_DIR  Prometheus --storage.tsdb.path (where snapshots/ appears)      [with the above]
# S3 keys are read from the systemd credentials "s3-access-key" and "s3-secret-key".
# Object keys: <host>/<part>/<yyyy>/<mm>/<dd>/<UTC timestamp>-<name>. Retention is the bucket's
# lifecycle configuration, not this script's business.
# Each part (git, config, prometheus) runs in its own process, so one failing part does not stop
# the others; the script exits non-zero if any part failed.
set -euo pipefail
umask 077

run_part() {
  case "$1" in
    git) backup_git ;;
    config) backup_config ;;
    prometheus) backup_prometheus ;;
    *) echo "unknown part $1" >&2; return 2 ;;
  esac
}

key_for() { # part name -> object key
  echo "$BACKUP_HOST/$1/$(date -u +%Y/%m/%d)/$STAMP-$2"
}

upload_file() { # local file, key
  rclone copyto --config "$RCLONE_CONFIG_FILE" "$1" ":s3:$BACKUP_BUCKET/$2"
}

upload_stdin() { # key
  rclone rcat --config "$RCLONE_CONFIG_FILE" ":s3:$BACKUP_BUCKET/$1"
}

backup_git() {
  local repo name bundle verify_output
  for repo in ${GIT_REPOSITORIES:-}; do
    if ! git -c safe.directory="$repo" -C "$repo" rev-parse --git-dir > /dev/null 2>&1; then
      echo "git: $repo is not a repository" >&2
      return 1
    fi
    if [[ -z "$(git -c safe.directory="$repo" -C "$repo" for-each-ref --count=1)" ]]; then
      echo "git: $repo has no refs yet; skipped"
      continue
    fi
    name="$(basename "$repo")"
    bundle="$WORK/$name.bundle"
    git -c safe.directory="$repo" -C "$repo" bundle create "$bundle" --all
    # verify reports success on stderr: only show its output when it fails.
    if ! verify_output="$(git -c safe.directory="$repo" -C "$repo" bundle verify "$bundle" 2>&1)"; then
      echo "git: bundle of $repo does not verify: $verify_output" >&2
      return 1
    fi
    upload_file "$bundle" "$(key_for git "$name.bundle")"
    rm -f -- "$bundle"
    echo "git: $repo bundled"
  done
}

backup_config() {
  local path excludes=() members=()
  for path in ${EXCLUDE_PATHS:-}; do
    excludes+=("--exclude=${path#/}")
  done
  for path in ${CONFIG_PATHS:-}; do
    if [[ -e "$path" ]]; then
      members+=("${path#/}")
    else
      echo "config: $path does not exist; skipped"
    fi
  done
  if ((${#members[@]} == 0)); then
    echo "config: nothing to archive"
    return 0
  fi
  tar -C / --warning=no-file-changed "${excludes[@]}" -czf - -- "${members[@]}" \
    | upload_stdin "$(key_for config config.tar.gz)"
  echo "config: ${#members[@]} path(s) archived"
}

backup_prometheus() {
  local response name dir
  : "${PROMETHEUS_DATA_DIR:?PROMETHEUS_DATA_DIR is not set}"
  response="$(curl -fsS --max-time 900 -X POST "$PROMETHEUS_URL/api/v1/admin/tsdb/snapshot")"
  name="$(jq -er '.data.name' <<< "$response")"
  if ! [[ "$name" =~ ^[A-Za-z0-9_-]+$ ]]; then
    echo "prometheus: unexpected snapshot name '$name'" >&2
    return 1
  fi
  dir="$PROMETHEUS_DATA_DIR/snapshots/$name"
  # The snapshot is hard links into the live TSDB: remove it whatever happens next.
  # (Expanded now: $dir is local and gone when the EXIT trap runs.)
  # shellcheck disable=SC2064
  trap "rm -rf -- $(printf '%q' "$dir")" EXIT
  if [[ ! -d "$dir" ]]; then
    echo "prometheus: snapshot $dir not found (is PROMETHEUS_DATA_DIR right?)" >&2
    return 1
  fi
  tar -C "$PROMETHEUS_DATA_DIR/snapshots" -czf - -- "$name" \
    | upload_stdin "$(key_for prometheus "tsdb-$name.tar.gz")"
  echo "prometheus: snapshot $name uploaded"
}

if [[ "${1:-}" == "--part" ]]; then
  run_part "${2:?--part needs a name}"
  exit 0
fi

: "${BACKUP_BUCKET:?BACKUP_BUCKET is not set}"
: "${S3_ENDPOINT:?S3_ENDPOINT is not set}"
: "${S3_REGION:?S3_REGION is not set}"
: "${BACKUP_HOST:?BACKUP_HOST is not set}"

credentials="${CREDENTIALS_DIRECTORY:?no systemd credentials (LoadCredential=s3-access-key:... and s3-secret-key:...)}"
for credential in s3-access-key s3-secret-key; do
  if [[ ! -s "$credentials/$credential" ]]; then
    echo "credential $credentials/$credential is missing or empty (secret not delivered yet?)" >&2
    exit 1
  fi
done

WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/aiai-backup.XXXXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT
export WORK
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
export STAMP
# No config file and no $HOME for git or rclone: everything comes from here.
export HOME="$WORK" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
RCLONE_CONFIG_FILE="$WORK/rclone.conf"
: > "$RCLONE_CONFIG_FILE"
export RCLONE_CONFIG_FILE
RCLONE_S3_ACCESS_KEY_ID="$(tr -d '\r\n' < "$credentials/s3-access-key")"
RCLONE_S3_SECRET_ACCESS_KEY="$(tr -d '\r\n' < "$credentials/s3-secret-key")"
export RCLONE_S3_ACCESS_KEY_ID RCLONE_S3_SECRET_ACCESS_KEY
export RCLONE_S3_PROVIDER=Other RCLONE_S3_ENDPOINT="$S3_ENDPOINT" RCLONE_S3_REGION="$S3_REGION"
export RCLONE_S3_FORCE_PATH_STYLE=true RCLONE_S3_NO_CHECK_BUCKET=true
# 32 MiB parts: streams up to ~320 GB (10,000 parts), at most 4 parts (128 MiB) in memory.
export RCLONE_S3_CHUNK_SIZE=32M RCLONE_S3_UPLOAD_CONCURRENCY=4
export BACKUP_BUCKET BACKUP_HOST GIT_REPOSITORIES CONFIG_PATHS EXCLUDE_PATHS PROMETHEUS_URL PROMETHEUS_DATA_DIR

parts=()
[[ -n "${GIT_REPOSITORIES:-}" ]] && parts+=(git)
[[ -n "${CONFIG_PATHS:-}" ]] && parts+=(config)
[[ -n "${PROMETHEUS_URL:-}" ]] && parts+=(prometheus)
if ((${#parts[@]} == 0)); then
  echo "nothing configured to back up" >&2
  exit 2
fi

failed=()
for part in "${parts[@]}"; do
  if ! "$0" --part "$part"; then
    failed+=("$part")
  fi
done
if ((${#failed[@]} > 0)); then
  echo "backup parts failed: ${failed[*]}" >&2
  exit 1
fi
echo "off-site backup done: ${parts[*]}"
