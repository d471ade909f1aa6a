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
#
# One jq process reads both manifests (each jq start costs about 35 ms of CPU, jq 1.6 on Debian 12;
# a host has dozens of files): it prints bash assignments, every value quoted with @sh, which the
# script evaluates.
set -euo pipefail

manifest=${1:?usage: aiai-converge MANIFEST}
root=${AIAI_CONVERGE_ROOT:-}
settle=${AIAI_CONVERGE_SETTLE_SECONDS:-30}
state_dir="$root/var/lib/aiai/converge"
previous="$state_dir/manifest.json"
export DEBIAN_FRONTEND=noninteractive

[ -r "$manifest" ] || { echo "aiai-converge: cannot read $manifest" >&2; exit 2; }

# What the script reads from the manifests, as bash assignments. A list a loop reads line by line
# (groups, users, packages, removals) is the text `jq -r` prints for it, without the last newline;
# values read by $(...) lose their trailing newlines (chomp). The previous manifest is read as text
# (unreadable or not JSON: as if there were none).
# shellcheck disable=SC2016 # jq's $variables, not bash's
program='
def raw: if type == "string" then . else tojson end;
def chomp: raw | until(endswith("\n") | not; .[:-1]);
def lines(f): [f | raw] | join("\n");
def var($name; v): "\($name)=\(v | @sh)";
def arr($name; vs): "\($name)=(\(vs | map(raw | @sh) | join(" ")))";
($prev | try fromjson catch null) as $p
| if .version != 1 then "bad_version=1" else
    var("host"; .host | chomp),
    var("service_user"; .serviceUser | chomp),
    arr("meta"; [.files[] | [.path, .mode, .owner, (.early | tostring), (.unit | tostring), (.exec | tostring), (.restart | join(",")), (.reload | join(","))] | join("\u001f")]),
    arr("contents"; [.files[] | .content | raw | if explode | any(. == 0) then "" else . end]),
    arr("nul_content"; [.files | to_entries[] | select(.value.content | raw | explode | any(. == 0)) | .key]),
    var("groups_text"; lines(.groups[])),
    var("users_text"; lines(.users[] | [.name, (.system | tostring), .home, .shell, (.groups | join(","))] | @tsv)),
    arr("src_name"; [.aptSources[] | .name | chomp]),
    arr("src_has_key"; [.aptSources[] | if .key then "1" else "" end]),
    arr("src_key"; [.aptSources[] | .key]),
    arr("src_keyserver"; [.aptSources[] | .keyserver | chomp]),
    arr("src_keyid"; [.aptSources[] | .keyid | chomp]),
    arr("src_line"; [.aptSources[] | .source | chomp]),
    var("packages_text"; lines(.packages[])),
    var("service_user_groups_text"; lines(.serviceUserGroups[])),
    arr("commands"; [.commands[] | map(raw | @sh) | join(" ")]),
    arr("enable"; [(.units[] | select(.enable) | .name), .services[]]),
    arr("started"; [(.units[] | select(.start) | .name), .services[]]),
    (if $p == null then "have_previous=" else
      . as $new
      | "have_previous=1",
        "before=(\([$p.files[] | [.path, .mode, .owner] | @tsv | split("\t") | "[\(.[0] | @sh)]=\(.[1:] | join(" ") | @sh)"] | join(" ")))",
        var("removed_units_text"; lines([$p.units[].name] - [$new.units[].name] | .[])),
        var("removed_paths_text"; lines([$p.files[].path] - [$new.files[].path] | .[]))
    end)
  end
'
prev_file=/dev/null
[ -r "$previous" ] && prev_file=$previous
bad_version='' host='' service_user='' groups_text='' users_text='' packages_text='' service_user_groups_text=''
have_previous='' removed_units_text='' removed_paths_text=''
meta=() contents=() nul_content=() src_name=() src_has_key=() src_key=() src_keyserver=() src_keyid=()
src_line=() commands=() enable=() started=() argv=()
declare -A before=()
parsed=$(jq -r --rawfile prev "$prev_file" "$program" "$manifest") && eval "$parsed" || bad_version=1
[ -z "$bad_version" ] || { echo "aiai-converge: $manifest is not a version 1 manifest" >&2; exit 2; }

log() { printf 'aiai-converge[%s]: %s\n' "$host" "$*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}

declare -A restart=() reload=()
units_changed=0

# meta: one line per file, fields separated by US (0x1f; empty fields survive, unlike with tabs):
# path, mode, owner, early, unit, exec, restart units, reload units. contents: each file's content
# (a content with a NUL byte, which no bash string holds, is read by its own jq: nul_content).
# before: the previous manifest's "mode owner" of each path.
US=$'\x1f'
execs=()

# Converges file number $1: writes it where content, mode or owner differ, then records what the
# change asks for (restart, reload, daemon-reload, exec).
converge_file() {
  local i=$1 path mode owner unit exec restarts reloads dest tmp u
  IFS=$US read -r path mode owner _ unit exec restarts reloads <<< "${meta[$i]}"
  dest="$root$path"
  [ -d "${dest%/*}" ] || mkdir -p "${dest%/*}"
  tmp=$(mktemp "${dest%/*}/.aiai-converge.XXXXXX")
  if [[ " ${nul_content[*]} " == *" $i "* ]]; then
    jq -j ".files[$i].content" "$manifest" > "$tmp"
  else
    printf '%s' "${contents[$i]}" > "$tmp"
  fi
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
done <<< "$groups_text"
while IFS=$'\t' read -r name system home shell groups; do
  [ -n "$name" ] || continue
  if ! getent passwd "$name" > /dev/null; then
    args=(--create-home --home-dir "$home" --shell "$shell" --user-group)
    [ "$system" = true ] && args+=(--system)
    [ -n "$groups" ] && args+=(--groups "$groups")
    useradd "${args[@]}" "$name"
    log "created user $name"
  fi
done <<< "$users_text"
# Field 4 of a file's meta line: early.
is_early() {
  local early
  IFS=$US read -r _ _ _ early _ <<< "${meta[$1]}"
  [ "$early" = true ]
}
for i in "${!meta[@]}"; do
  is_early "$i" && converge_file "$i"
done

# 2. APT sources (key embedded or fetched by fingerprint), then missing packages.
sources_changed=0
for k in "${!src_name[@]}"; do
  name=${src_name[$k]}
  keyring="$root/etc/apt/keyrings/$name.gpg"
  list="$root/etc/apt/sources.list.d/$name.list"
  mkdir -p "${keyring%/*}" "${list%/*}"
  if [ ! -s "$keyring" ]; then
    if [ -n "${src_has_key[$k]}" ]; then
      printf '%s' "${src_key[$k]}" | gpg --batch --yes --dearmor -o "$keyring"
    else
      gpg --batch --no-default-keyring --keyring "$keyring" --keyserver "${src_keyserver[$k]}" --recv-keys "${src_keyid[$k]}"
    fi
    chmod 0644 "$keyring"
    sources_changed=1
  fi
  line=${src_line[$k]}
  line=${line//\$KEY_FILE/\/etc\/apt\/keyrings\/$name.gpg}
  if [ ! -f "$list" ] || [ "$(cat "$list")" != "$line" ]; then
    printf '%s\n' "$line" > "$list"
    sources_changed=1
    log "apt source $name"
  fi
done
missing=()
while IFS= read -r p; do
  [ -n "$p" ] || continue
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || missing+=("$p")
done <<< "$packages_text"
if ((${#missing[@]})) || ((sources_changed)); then
  apt-get -o DPkg::Lock::Timeout=600 update -qq || fail "apt-get update"
fi
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" || fail "apt-get install ${missing[*]}"
fi

# 3. The service user's extra groups.
while IFS= read -r g; do
  [ -n "$g" ] || continue
  id -nG "$service_user" | tr ' ' '\n' | grep -qx "$g" || { usermod --append --groups "$g" "$service_user" && log "$service_user joins $g"; }
done <<< "$service_user_groups_text"

# 4. The other files; files the previous manifest had and this one has not.
for i in "${!meta[@]}"; do
  is_early "$i" || converge_file "$i"
done
if [ -n "$have_previous" ]; then
  while IFS= read -r unit; do
    [ -n "$unit" ] || continue
    log "removing unit $unit"
    systemctl disable --now "$unit" || true
  done <<< "$removed_units_text"
  while IFS= read -r path; do
    [ -n "$path" ] || continue
    rm -f "$root$path"
    log "removed $path"
    case "$path" in /etc/systemd/system/*) units_changed=1 ;; esac
  done <<< "$removed_paths_text"
fi

# 5. daemon-reload, setup commands.
if ((units_changed)); then systemctl daemon-reload; fi
for cmd in "${commands[@]}"; do
  eval "argv=($cmd)"
  "${argv[@]}" || fail "setup command failed: ${argv[*]}"
done

# 6. Changed executables that apply themselves (the host firewall).
for x in "${execs[@]}"; do
  log "running ${x#"$root"}"
  "$x" || fail "${x#"$root"} failed"
done

# 7. Enable (our units and the packages' services: some packages, e.g. grafana, enable nothing),
#    then restart what changed, reload what asked for it, start the rest.
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
