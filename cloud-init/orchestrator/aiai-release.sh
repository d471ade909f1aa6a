#!/bin/bash
# aiai-release: roll the agent app on this orchestrator host to a git ref, health-checked, with an
# automatic rollback. Run as root (terraform runs `sudo aiai-release <ref>` over SSH).
#
#   aiai-release <ref>         release a branch, tag or commit id
#   aiai-release --rollback    release the previous release again (same checks)
#   aiai-release --status      print the current and the previous release
#
# Layout: RELEASE_REPO is a bare copy of the agent repository (every branch and tag); each release
# is a worktree of it at RELEASES_DIR/<commit> with its own virtualenv (.venv); CURRENT_LINK points at
# the live release (the units run from it) and PREVIOUS_LINK at the one before.
#
# A release fetches, resolves the ref to a commit, builds that commit's release once (worktree,
# venv, `pip install -r requirements.txt` when present), switches CURRENT_LINK, restarts the units
# and polls HEALTH_URL until it has answered 2xx HEALTH_SUCCESSES times in a row (at most
# HEALTH_TIMEOUT_SEC). If it does not, CURRENT_LINK goes back to the previous release, the units are
# restarted on it, and the script exits non-zero naming the host, the ref and the health answer.
# Releasing the commit that is current and healthy changes nothing. At most RELEASES_KEEP releases
# stay on disk (always the current and the previous one).
#
# Settings: KEY=value lines in $AIAI_RELEASE_CONFIG (default /etc/aiai/release.conf, written by the
# construct from lib/core/paths.ts); a variable set in the environment wins over the file (tests).
#
# Exit codes: 0 released, or already current and healthy; 1 unhealthy, rolled back to the previous
# release, which is healthy; 2 usage or settings error; 3 fetch or build failed (nothing switched);
# 4 unhealthy with no healthy release to fall back to; 75 another aiai-release is running.
set -euo pipefail

readonly SETTINGS=(AIAI_HOST_NAME AIAI_REPOSITORY_URL AIAI_SERVICE_USER AIAI_RELEASE_REPO AIAI_RELEASES_DIR
  AIAI_CURRENT_LINK AIAI_PREVIOUS_LINK AIAI_RELEASE_LOCK AIAI_RELEASE_UNITS AIAI_HEALTH_URL
  AIAI_HEALTH_TIMEOUT_SEC AIAI_HEALTH_INTERVAL_SEC AIAI_HEALTH_SUCCESSES AIAI_HEALTH_PROBE_SEC AIAI_RELEASES_KEEP)
# Written into a release's venv once it is completely built; its mtime records the last activation.
readonly MARKER=.venv/.aiai-release

usage() {
  echo "usage: aiai-release <branch|tag|commit> | --rollback | --status" >&2
  exit 2
}

fail() {
  local code=$1
  shift
  echo "aiai-release: $*" >&2
  exit "$code"
}

# Same rules as isReleasableGitRef (lib/orchestrator/git-ref.ts).
valid_ref() {
  local r=$1
  ((${#r} >= 1 && ${#r} <= 200)) || return 1
  [[ $r =~ ^[A-Za-z0-9._/-]+$ ]] || return 1
  case $r in
    -* | /* | */ | *. | *..* | *//* | .* | */.* | *.lock | *.lock/*) return 1 ;;
  esac
  return 0
}

read_settings() {
  local config=${AIAI_RELEASE_CONFIG:-/etc/aiai/release.conf} key value known k
  [[ -r $config ]] || fail 2 "settings file $config is missing or unreadable"
  while IFS='=' read -r key value || [[ -n $key ]]; do
    [[ -z $key || $key == \#* ]] && continue
    known=0
    for k in "${SETTINGS[@]}"; do [[ $k == "$key" ]] && known=1; done
    ((known)) || fail 2 "$config: unknown setting '$key'"
    # The environment wins (tests point the paths at a temporary root).
    [[ -n ${!key+set} ]] || printf -v "$key" '%s' "$value"
  done < "$config"
  for key in "${SETTINGS[@]}"; do
    [[ -n ${!key:-} ]] || fail 2 "$config: $key is not set"
  done
  local n
  for n in AIAI_HEALTH_TIMEOUT_SEC AIAI_HEALTH_SUCCESSES AIAI_HEALTH_PROBE_SEC AIAI_RELEASES_KEEP; do
    [[ ${!n} =~ ^[1-9][0-9]*$ ]] || fail 2 "$n must be a positive integer, got '${!n}'"
  done
  [[ $AIAI_HEALTH_INTERVAL_SEC =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail 2 "AIAI_HEALTH_INTERVAL_SEC must be a number of seconds, got '$AIAI_HEALTH_INTERVAL_SEC'"
  ((AIAI_RELEASES_KEEP >= 2)) || fail 2 "AIAI_RELEASES_KEEP must be at least 2 (the current and the previous release)"
  host=$AIAI_HOST_NAME
  user=$AIAI_SERVICE_USER
  repo=$AIAI_RELEASE_REPO
  releases=$AIAI_RELEASES_DIR
  current_link=$AIAI_CURRENT_LINK
  previous_link=$AIAI_PREVIOUS_LINK
  read -r -a units <<< "$AIAI_RELEASE_UNITS"
}

log() {
  echo "aiai-release[$host]: $*"
}

# git, venv and pip run as the service user: the releases are its files.
as_user() {
  if [[ $user == "$self_user" ]]; then
    "$@"
  else
    runuser -u "$user" -- env HOME="$user_home" "$@"
  fi
}

# Sets `now` to the wall clock in ms (bash's EPOCHREALTIME: no process per poll; its decimal
# separator follows the locale, hence the digits only).
now_ms() {
  local us=${EPOCHREALTIME//[!0-9]/}
  now=$((us / 1000))
}

# One GET of the health URL: sets answer_code (000 without an answer) and answer (for messages).
probe() {
  local body
  answer_code=$(curl -sS --max-time "$AIAI_HEALTH_PROBE_SEC" -o "$tmp/body" -w '%{http_code}' "$AIAI_HEALTH_URL" 2> "$tmp/err") || answer_code=000
  if [[ $answer_code == 000 ]]; then
    answer="no answer from $AIAI_HEALTH_URL ($(tr -s '\r\n' '  ' < "$tmp/err" | sed 's/ *$//'))"
  else
    # The first 200 characters, on one line: CR, LF and tab as spaces, runs of spaces squeezed, no
    # trailing ones (bash builtins: this runs every poll).
    IFS= read -r -N 200 body < "$tmp/body" || true
    body=${body//[$'\r\n\t']/ }
    while [[ $body == *'  '* ]]; do body=${body//'  '/ }; done
    body=${body%"${body##*[! ]}"}
    answer="GET $AIAI_HEALTH_URL answered HTTP $answer_code \"$body\""
  fi
}

healthy_answer() {
  [[ $answer_code == 2?? ]]
}

# Healthy right now: HEALTH_SUCCESSES answers in a row, no waiting for a recovery.
healthy_now() {
  local i
  for ((i = 0; i < AIAI_HEALTH_SUCCESSES; i++)); do
    ((i == 0)) || sleep "$AIAI_HEALTH_INTERVAL_SEC"
    probe
    healthy_answer || return 1
  done
}

# Healthy within HEALTH_TIMEOUT_SEC: HEALTH_SUCCESSES 2xx answers in a row.
wait_healthy() {
  local deadline ok=0 now
  now_ms
  deadline=$((now + AIAI_HEALTH_TIMEOUT_SEC * 1000))
  while :; do
    probe
    if healthy_answer; then
      ok=$((ok + 1))
      ((ok >= AIAI_HEALTH_SUCCESSES)) && return 0
    else
      ok=0
    fi
    now_ms
    ((now < deadline)) || return 1
    sleep "$AIAI_HEALTH_INTERVAL_SEC"
  done
}

# Restarts the units (the orchestrator is Type=notify: restart returns once it is ready), then waits
# for health. Sets `problem` to what went wrong.
restart_and_check() {
  local u
  for u in "${units[@]}"; do
    systemctl reset-failed "$u" > /dev/null 2>&1 || true
    if ! systemctl restart "$u"; then
      probe
      problem="systemctl restart $u failed (journalctl -u $u); $answer"
      return 1
    fi
  done
  if ! wait_healthy; then
    problem="no $AIAI_HEALTH_SUCCESSES healthy answers in a row within $AIAI_HEALTH_TIMEOUT_SEC s: $answer"
    return 1
  fi
}

# Points symlink $1 at $2 atomically (or removes it when $2 is empty).
point() {
  if [[ -z $2 ]]; then
    rm -f -- "$1"
  else
    ln -sfn -- "$2" "$1.new"
    mv -fT -- "$1.new" "$1"
  fi
}

short() {
  local c=${1##*/}
  echo "${c:0:12}"
}

describe() {
  local dir=$1 ref_of
  if [[ -z $dir ]]; then
    echo "none"
    return
  fi
  ref_of=$(sed -n 's/^ref=//p' "$dir/$MARKER" 2> /dev/null || true)
  echo "${dir##*/} (ref ${ref_of:-unknown})"
}

ensure_repo() {
  if [[ ! -e $repo/HEAD ]]; then
    install -d -m 0755 -o "$user" -g "$user_group" "$repo" || return 1
    as_user git init --quiet --bare "$repo" || return 1
  fi
  install -d -m 0755 -o "$user" -g "$user_group" "$releases" || return 1
  as_user git -C "$repo" config remote.origin.url "$AIAI_REPOSITORY_URL"
}

fetch() {
  # Branches as the repository's own (the off-site backup bundles this repository with --all; the
  # releases are detached worktrees, so no branch is checked out anywhere).
  as_user git -C "$repo" fetch --quiet --prune origin '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'
}

# Sets `commit` to the full id `ref` names: a branch, then a tag, then a commit id.
resolve() {
  local r candidates=("refs/heads/${ref#refs/heads/}" "refs/tags/${ref#refs/tags/}")
  [[ $ref =~ ^[0-9a-f]{7,40}$ ]] && candidates+=("$ref")
  for r in "${candidates[@]}"; do
    if commit=$(as_user git -C "$repo" rev-parse --verify --quiet "$r^{commit}"); then
      return 0
    fi
  done
  # A full commit id on no branch or tag: ask the remote for it directly.
  [[ $ref =~ ^[0-9a-f]{40}$ ]] || return 1
  as_user git -C "$repo" fetch --quiet origin "$ref" 2> /dev/null || return 1
  commit=$(as_user git -C "$repo" rev-parse --verify --quiet "FETCH_HEAD^{commit}")
}

remove_release() {
  as_user rm -rf -- "$1"
  as_user git -C "$repo" worktree prune
}

build() {
  local dir=$1
  if [[ -d $dir && ! -e $dir/$MARKER ]]; then
    log "removing the incomplete build of $(short "$dir")"
    remove_release "$dir" || return 1
  fi
  if [[ -e $dir/$MARKER ]]; then
    log "release $(short "$dir") is already built"
    return 0
  fi
  log "building release $(short "$dir") in $dir"
  as_user git -C "$repo" worktree prune || return 1
  as_user git -C "$repo" worktree add --quiet --detach "$dir" "$commit" || return 1
  as_user python3 -m venv "$dir/.venv" || return 1
  if [[ -f $dir/requirements.txt ]]; then
    as_user "$dir/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$dir/requirements.txt" || return 1
  else
    log "no requirements.txt in $ref; the virtualenv stays empty"
  fi
  printf 'ref=%s\ncommit=%s\nbuilt=%s\n' "$ref" "$commit" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$dir/$MARKER"
}

# Keeps the RELEASES_KEEP most recently activated releases, always the current and the previous one.
prune() {
  local keep_current keep_previous kept=2 d
  keep_current=$(readlink -- "$current_link" || true)
  keep_previous=$(readlink -- "$previous_link" || true)
  for d in "$releases"/*/; do
    d=${d%/}
    [[ -d $d && ! -e $d/$MARKER && $d != "$keep_current" && $d != "$keep_previous" ]] && remove_release "$d"
  done
  while read -r _ d; do
    d=$releases/${d%%/*}
    [[ $d == "$keep_current" || $d == "$keep_previous" ]] && continue
    if ((kept < AIAI_RELEASES_KEEP)); then
      kept=$((kept + 1))
    else
      log "removing old release $(short "$d")"
      remove_release "$d"
    fi
  done < <(find "$releases" -mindepth 3 -maxdepth 3 -path "*/$MARKER" -printf '%T@ %P\n' | sort -rn)
}

main() {
  [[ $# -eq 1 ]] || usage
  read_settings
  local arg=$1
  case $arg in
    --status)
      echo "current: $(describe "$(readlink -- "$current_link" || true)")"
      echo "previous: $(describe "$(readlink -- "$previous_link" || true)")"
      return 0
      ;;
    --rollback)
      ref=$(readlink -- "$previous_link" || true)
      [[ -n $ref ]] || fail 2 "$host: there is no previous release to roll back to"
      ref=${ref##*/}
      ;;
    -*) usage ;;
    *) ref=$arg ;;
  esac
  valid_ref "$ref" || fail 2 "$host: '$ref' is not a branch, tag or commit id (letters, digits and ._/-; no '..', no leading - or /)"

  user_group=$(id -gn "$user") || fail 2 "$host: no user $user"
  user_home=$(getent passwd "$user" | cut -d: -f6)
  self_user=$(id -un)
  tmp=$(mktemp -d)
  trap 'rm -rf -- "$tmp"' EXIT
  cd /

  install -d -m 0755 "$(dirname -- "$AIAI_RELEASE_LOCK")"
  exec 9>> "$AIAI_RELEASE_LOCK"
  flock -n 9 || fail 75 "$host: another aiai-release is running (lock $AIAI_RELEASE_LOCK held); $ref was not released"

  install -d -m 0755 "$(dirname -- "$current_link")" "$(dirname -- "$previous_link")"
  ensure_repo || fail 3 "$host: cannot prepare $repo"
  # A full commit id that is here already needs no network (a rollback works offline).
  if ! { [[ $ref =~ ^[0-9a-f]{40}$ ]] && as_user git -C "$repo" cat-file -e "$ref^{commit}" 2> /dev/null; }; then
    log "fetching $AIAI_REPOSITORY_URL"
    fetch || fail 3 "$host: fetching $AIAI_REPOSITORY_URL failed; nothing changed"
  fi
  resolve || fail 3 "$host: $ref is no branch, tag or commit of $AIAI_REPOSITORY_URL; nothing changed"
  local target=$releases/$commit old_current old_previous
  old_current=$(readlink -- "$current_link" || true)
  old_previous=$(readlink -- "$previous_link" || true)
  log "$ref is commit $commit"

  if [[ $old_current == "$target" && -e $target/$MARKER ]]; then
    if healthy_now; then
      log "$ref ($(short "$commit")) is already current and healthy: nothing to do"
      return 0
    fi
    log "$ref ($(short "$commit")) is current but unhealthy ($answer): restarting it"
    restart_and_check || fail 4 "FAILED on $host: $ref ($(short "$commit")) is the current release and stays unhealthy after a restart: $problem"
    log "$ref ($(short "$commit")) is healthy again"
    return 0
  fi

  build "$target" || fail 3 "FAILED on $host: building $ref ($(short "$commit")) failed; nothing switched (current release: $(describe "$old_current"))"
  if [[ -n $old_current ]]; then point "$previous_link" "$old_current"; fi
  point "$current_link" "$target"
  touch -- "$target/$MARKER"
  log "switched to $ref ($(short "$commit")); restarting ${units[*]}"
  if restart_and_check; then
    log "released $ref ($(short "$commit")): healthy"
    prune || log "removing old releases failed (the release itself succeeded)"
    return 0
  fi
  local failure
  failure="FAILED on $host: $ref ($(short "$commit")) is unhealthy: $problem"
  log "$ref is unhealthy: $problem"

  if [[ -n $old_current && -e $old_current/$MARKER ]]; then
    log "rolling back to $(describe "$old_current")"
    point "$current_link" "$old_current"
    point "$previous_link" "$old_previous"
    touch -- "$old_current/$MARKER"
    if restart_and_check; then
      fail 1 "$failure; rolled back to $(describe "$old_current"), which is healthy again"
    fi
    fail 4 "$failure; rolled back to $(describe "$old_current"), but it is unhealthy too: $problem"
  fi
  # A first release that fails: nothing to fall back to, so nothing runs (the units' condition on
  # CURRENT_LINK keeps them from starting at boot either).
  point "$current_link" ""
  point "$previous_link" "$old_previous"
  systemctl stop "${units[@]}" || true
  fail 4 "$failure; there is no previous release to roll back to, so ${units[*]} are stopped"
}

main "$@"
