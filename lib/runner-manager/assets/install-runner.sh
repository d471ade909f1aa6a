#!/bin/bash
# Installs the pinned GitHub Actions runner (run once by cloud-init on an ephemeral pool server, on
# every converge of a persistent runner host: a no-op when this version is already installed).
# Parameters come from /etc/aiai-runner/runner.env, written by the same cloud-config:
#   RUNNER_VERSION, RUNNER_ARCH (x64|arm64), RUNNER_SHA256, RUNNER_USER, RUNNER_DIR
# The tarball is verified against the pinned SHA-256 before anything is extracted.
set -euo pipefail

# shellcheck source=/dev/null
. /etc/aiai-runner/runner.env

: "${RUNNER_VERSION:?}" "${RUNNER_ARCH:?}" "${RUNNER_SHA256:?}" "${RUNNER_USER:?}" "${RUNNER_DIR:?}"

marker="${RUNNER_DIR}/.aiai-installed"
wanted="${RUNNER_VERSION} ${RUNNER_ARCH} ${RUNNER_SHA256}"
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$wanted" ]; then
  exit 0
fi

tarball="actions-runner-linux-${RUNNER_ARCH}-${RUNNER_VERSION}.tar.gz"
url="https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/${tarball}"
workdir="$(mktemp -d)"
trap 'rm -rf -- "$workdir"' EXIT

curl --fail --silent --show-error --location \
  --retry 5 --retry-delay 3 --retry-all-errors --connect-timeout 20 \
  --output "${workdir}/${tarball}" "$url"
printf '%s  %s\n' "$RUNNER_SHA256" "${workdir}/${tarball}" | sha256sum --check --strict --quiet -

install -d -m 0750 -o "$RUNNER_USER" -g "$RUNNER_USER" "$RUNNER_DIR"
tar -xzf "${workdir}/${tarball}" -C "$RUNNER_DIR" --no-same-owner
# The runner's .NET runtime needs ICU, Kerberos and LTTng libraries; its script installs them with apt.
"${RUNNER_DIR}/bin/installdependencies.sh"
chown -R "${RUNNER_USER}:${RUNNER_USER}" "$RUNNER_DIR"
printf '%s\n' "$wanted" > "$marker"
