#!/bin/sh
# aiai: check out the agent repository at a ref and build its virtualenv. Run by cloud-init as root:
#   bootstrap-app.sh <repository-url> <ref> <app-dir> <user>
# Idempotent: re-running fetches the ref again and reinstalls requirements.
set -eu

repo_url=$1
ref=$2
app_dir=$3
user=$4

as_user() {
  runuser -u "$user" -- "$@"
}

install -d -m 0755 -o "$user" -g "$user" "$app_dir"
if [ ! -d "$app_dir/.git" ]; then
  as_user git -C "$app_dir" init --quiet
  as_user git -C "$app_dir" remote add origin "$repo_url"
fi
as_user git -C "$app_dir" fetch --quiet --tags origin "$ref"
as_user git -C "$app_dir" checkout --quiet --detach FETCH_HEAD

if [ ! -x "$app_dir/.venv/bin/python" ]; then
  as_user python3 -m venv "$app_dir/.venv"
fi
as_user "$app_dir/.venv/bin/pip" install --quiet --upgrade pip
if [ -f "$app_dir/requirements.txt" ]; then
  as_user "$app_dir/.venv/bin/pip" install --quiet -r "$app_dir/requirements.txt"
else
  echo "bootstrap-app: no requirements.txt in $repo_url@$ref; virtualenv left empty" >&2
fi
