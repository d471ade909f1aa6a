#!/bin/bash
# Registers this host's persistent GitHub Actions runner, once. Run as root by
# aiai-github-runner-register.service after the GitHub credential has been delivered.
#
# Settings come from the file given as $1 (default /etc/aiai-runner/persistent.env):
#   RUNNER_URL         https://github.com/<owner>/<repo>
#   RUNNER_API_URL     GitHub REST API base URL
#   RUNNER_REPOSITORY  <owner>/<repo>
#   RUNNER_NAME, RUNNER_LABELS (comma-separated), RUNNER_GROUP (empty: the default group)
#   RUNNER_USER, RUNNER_DIR, RUNNER_TOKEN_FILE (the delivered credential)
#
# The long-lived credential is read from RUNNER_TOKEN_FILE and handed to curl on its standard input;
# the one-hour registration token reaches config.sh in its environment (ACTIONS_RUNNER_INPUT_TOKEN).
# Neither appears on a command line, which every local user can read in /proc.
set -euo pipefail

env_file="${1:-/etc/aiai-runner/persistent.env}"
# shellcheck source=/dev/null
. "$env_file"
: "${RUNNER_URL:?}" "${RUNNER_API_URL:?}" "${RUNNER_REPOSITORY:?}" "${RUNNER_NAME:?}" \
  "${RUNNER_USER:?}" "${RUNNER_DIR:?}" "${RUNNER_TOKEN_FILE:?}"
RUNNER_LABELS="${RUNNER_LABELS:-}"
RUNNER_GROUP="${RUNNER_GROUP:-}"

if [ -f "${RUNNER_DIR}/.runner" ]; then
  echo "runner ${RUNNER_NAME} is already registered"
  exit 0
fi
if [ ! -s "$RUNNER_TOKEN_FILE" ]; then
  echo "no GitHub credential in ${RUNNER_TOKEN_FILE} yet" >&2
  exit 1
fi

response="$(mktemp)"
trap 'rm -f -- "$response"' EXIT

# No --location: the Authorization header must not follow a redirect to another host.
if ! { printf 'Authorization: Bearer '; tr -d '\r\n' < "$RUNNER_TOKEN_FILE"; printf '\n'; } |
  curl --fail-with-body --silent --show-error \
    --retry 5 --retry-delay 3 --connect-timeout 20 --max-time 60 \
    --request POST --header @- \
    --header 'Accept: application/vnd.github+json' \
    --header 'X-GitHub-Api-Version: 2022-11-28' \
    --output "$response" \
    "${RUNNER_API_URL}/repos/${RUNNER_REPOSITORY}/actions/runners/registration-token"; then
  echo "GitHub refused a registration token for ${RUNNER_REPOSITORY}: $(head -c 500 "$response")" >&2
  echo "(the credential needs \"Administration: read and write\" on the repository)" >&2
  exit 1
fi
if ! registration_token="$(jq -er '.token | select(type == "string" and length > 0)' "$response")"; then
  echo "unexpected answer from GitHub: no registration token" >&2
  exit 1
fi

args=(--unattended --replace --url "$RUNNER_URL" --name "$RUNNER_NAME" --work _work)
if [ -n "$RUNNER_LABELS" ]; then args+=(--labels "$RUNNER_LABELS"); fi
if [ -n "$RUNNER_GROUP" ]; then args+=(--runnergroup "$RUNNER_GROUP"); fi

cd "$RUNNER_DIR"
export ACTIONS_RUNNER_INPUT_TOKEN="$registration_token"
if [ "$(id -un)" = "$RUNNER_USER" ]; then
  ./config.sh "${args[@]}"
else
  runuser -u "$RUNNER_USER" -- ./config.sh "${args[@]}"
fi
unset ACTIONS_RUNNER_INPUT_TOKEN
echo "registered runner ${RUNNER_NAME} for ${RUNNER_REPOSITORY}"
