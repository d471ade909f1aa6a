#!/bin/bash
# aiai-converge MANIFEST
#
# Brings this host to the configuration in MANIFEST (JSON written by the aiai-hetzner library at
# synth, uploaded over SSH by the HostConfiguration resource) and exits non-zero, with the failing
# unit's status and journal, when a service does not come up. Idempotent: a second run with the
# same manifest changes nothing and restarts nothing.
#
#  1. groups and users; files marked early (before packages: e.g. docker's daemon.json)
#  2. APT sources and their keys, then the packages that are missing
#  3. the service user's extra groups (groups such as docker exist once their package is installed)
#  4. the other files, written only where content, mode or owner differ; files the previous
#     manifest had and this one has not are removed (their units stopped and disabled first)
#  5. systemd daemon-reload when a unit or drop-in changed; the setup commands (idempotent)
#  6. changed executables marked `exec` run once (the host firewall script)
#  7. units and services enabled; services whose files changed restarted (or reloaded), the others started
#  8. every started unit checked: `failed`, or still `activating` after the settle time, fails the run
#
# AIAI_CONVERGE_ROOT prefixes every file path (tests); AIAI_CONVERGE_SETTLE_SECONDS bounds step 8.
set -euo pipefail

manifest=${1:?usage: aiai-converge MANIFEST}
root=${AIAI_CONVERGE_ROOT:-}
settle=${AIAI_CONVERGE_SETTLE_SECONDS:-30}
state_dir="$root/var/lib/aiai/converge"
previous="$state_dir/manifest.json"
export DEBIAN_FRONTEND=noninteractive

[ -r "$manifest" ] || { echo "aiai-converge: cannot read $manifest" >&2; exit 2; }
jq -e '.version == 1' "$manifest" > /dev/null || { echo "aiai-converge: $manifest is not a version 1 manifest" >&2; exit 2; }
host=$(jq -r '.host' "$manifest")

log() { printf 'aiai-converge[%s]: %s\n' "$host" "$*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}

declare -A restart=() reload=()
units_changed=0

# One line per file, fields separated by US (0x1f; empty fields survive, unlike with tabs): path,
# mode, owner, early, unit, exec, restart units, reload units.
US=$'\x1f'
mapfile -t meta < <(jq -r '.files[] | [.path, .mode, .owner, (.early | tostring), (.unit | tostring), (.exec | tostring), (.restart | join(",")), (.reload | join(","))] | join("\u001f")' "$manifest")
# The previous manifest's "mode owner" of each path.
declare -A before=()
if [ -r "$previous" ]; then
  while IFS=$'\t' read -r path mode owner; do before[$path]="$mode $owner"; done < <(jq -r '.files[] | [.path, .mode, .owner] | @tsv' "$previous")
fi
execs=()

# Converges file number $1: writes it where content, mode or owner differ, then records what the
# change asks for (restart, reload, daemon-reload, exec).
converge_file() {
  local i=$1 path mode owner unit exec restarts reloads dest tmp u
  IFS=$US read -r path mode owner _ unit exec restarts reloads <<< "${meta[$i]}"
  dest="$root$path"
  mkdir -p "${dest%/*}"
  tmp=$(mktemp "${dest%/*}/.aiai-converge.XXXXXX")
  jq -j ".files[$i].content" "$manifest" > "$tmp"
  if [ -f "$dest" ] && cmp -s "$tmp" "$dest" && [ "${before[$path]:-}" = "$mode $owner" ]; then
    rm -f "$tmp"
    return 0
  fi
  chmod "$mode" "$tmp"
  chown "$owner" "$tmp"
  mv -f "$tmp" "$dest"
  log "wrote $path"
  for u in ${restarts//,/ }; do restart[$u]=1; done
  for u in ${reloads//,/ }; do reload[$u]=1; done
  [ "$unit" = true ] && units_changed=1
  [ "$exec" = true ] && execs+=("$dest")
  return 0
}


# 1. Groups, users, early files.
while IFS= read -r g; do
  [ -n "$g" ] || continue
  getent group "$g" > /dev/null || { groupadd --system "$g" && log "created group $g"; }
done < <(jq -r '.groups[]' "$manifest")
while IFS=$'\t' read -r name system home shell groups; do
  [ -n "$name" ] || continue
  if ! getent passwd "$name" > /dev/null; then
    args=(--create-home --home-dir "$home" --shell "$shell" --user-group)
    [ "$system" = true ] && args+=(--system)
    [ -n "$groups" ] && args+=(--groups "$groups")
    useradd "${args[@]}" "$name"
    log "created user $name"
  fi
done < <(jq -r '.users[] | [.name, (.system | tostring), .home, .shell, (.groups | join(","))] | @tsv' "$manifest")
for i in "${!meta[@]}"; do
  [ "$(cut -d "$US" -f4 <<< "${meta[$i]}")" = true ] && converge_file "$i"
done

# 2. APT sources (key embedded or fetched by fingerprint), then missing packages.
sources_changed=0
while IFS= read -r src; do
  [ -n "$src" ] || continue
  name=$(jq -r '.name' <<< "$src")
  keyring="$root/etc/apt/keyrings/$name.gpg"
  list="$root/etc/apt/sources.list.d/$name.list"
  mkdir -p "${keyring%/*}" "${list%/*}"
  if [ ! -s "$keyring" ]; then
    if jq -e '.key' <<< "$src" > /dev/null; then
      jq -j '.key' <<< "$src" | gpg --batch --yes --dearmor -o "$keyring"
    else
      gpg --batch --no-default-keyring --keyring "$keyring" --keyserver "$(jq -r '.keyserver' <<< "$src")" --recv-keys "$(jq -r '.keyid' <<< "$src")"
    fi
    chmod 0644 "$keyring"
    sources_changed=1
  fi
  line=$(jq -r '.source' <<< "$src")
  line=${line//\$KEY_FILE/\/etc\/apt\/keyrings\/$name.gpg}
  if [ ! -f "$list" ] || [ "$(cat "$list")" != "$line" ]; then
    printf '%s\n' "$line" > "$list"
    sources_changed=1
    log "apt source $name"
  fi
done < <(jq -c '.aptSources[]' "$manifest")
missing=()
while IFS= read -r p; do
  [ -n "$p" ] || continue
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || missing+=("$p")
done < <(jq -r '.packages[]' "$manifest")
if ((${#missing[@]})) || ((sources_changed)); then
  apt-get -o DPkg::Lock::Timeout=600 update -qq || fail "apt-get update"
fi
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" || fail "apt-get install ${missing[*]}"
fi

# 3. The service user's extra groups.
service_user=$(jq -r '.serviceUser' "$manifest")
while IFS= read -r g; do
  [ -n "$g" ] || continue
  id -nG "$service_user" | tr ' ' '\n' | grep -qx "$g" || { usermod --append --groups "$g" "$service_user" && log "$service_user joins $g"; }
done < <(jq -r '.serviceUserGroups[]' "$manifest")

# 4. The other files; files the previous manifest had and this one has not.
for i in "${!meta[@]}"; do
  [ "$(cut -d "$US" -f4 <<< "${meta[$i]}")" = true ] || converge_file "$i"
done
if [ -r "$previous" ]; then
  while IFS= read -r unit; do
    [ -n "$unit" ] || continue
    log "removing unit $unit"
    systemctl disable --now "$unit" || true
  done < <(jq -r --slurpfile new "$manifest" '[.units[].name] - [$new[0].units[].name] | .[]' "$previous")
  while IFS= read -r path; do
    [ -n "$path" ] || continue
    rm -f "$root$path"
    log "removed $path"
    case "$path" in /etc/systemd/system/*) units_changed=1 ;; esac
  done < <(jq -r --slurpfile new "$manifest" '[.files[].path] - [$new[0].files[].path] | .[]' "$previous")
fi

# 5. daemon-reload, setup commands.
if ((units_changed)); then systemctl daemon-reload; fi
while IFS= read -r cmd; do
  [ -n "$cmd" ] || continue
  mapfile -t argv < <(jq -r '.[]' <<< "$cmd")
  "${argv[@]}" || fail "setup command failed: ${argv[*]}"
done < <(jq -c '.commands[]' "$manifest")

# 6. Changed executables that apply themselves (the host firewall).
for x in "${execs[@]}"; do
  log "running ${x#"$root"}"
  "$x" || fail "${x#"$root"} failed"
done

# 7. Enable (our units and the packages' services: some packages, e.g. grafana, enable nothing),
#    then restart what changed, reload what asked for it, start the rest.
mapfile -t enable < <(jq -r '(.units[] | select(.enable) | .name), .services[]' "$manifest")
mapfile -t started < <(jq -r '(.units[] | select(.start) | .name), .services[]' "$manifest")
if ((${#enable[@]})); then systemctl enable --quiet "${enable[@]}"; fi
for u in "${started[@]}"; do
  if [ -n "${restart[$u]:-}" ]; then
    log "restarting $u"
    systemctl restart "$u" || true
  elif [ -n "${reload[$u]:-}" ]; then
    log "reloading $u"
    systemctl reload-or-restart "$u" || true
  else
    systemctl start "$u" || true
  fi
done

# 8. Nothing we started may be failed or stuck.
deadline=$((SECONDS + settle))
while :; do
  bad=()
  for u in "${started[@]}"; do
    state=$(systemctl is-active "$u" || true)
    case "$state" in active | inactive) ;; *) bad+=("$u:$state") ;; esac
  done
  ((${#bad[@]} == 0)) && break
  if ((SECONDS >= deadline)); then
    for b in "${bad[@]}"; do
      u=${b%%:*}
      log "unit $u is ${b#*:}"
      systemctl status --no-pager --lines=0 "$u" >&2 || true
      journalctl --no-pager --lines=30 --unit "$u" >&2 || true
    done
    fail "units not running: ${bad[*]}"
  fi
  sleep 1
done

mkdir -p "$state_dir"
install -m 0600 "$manifest" "$previous"
log "converged (${#started[@]} units running or waiting for their conditions)"
