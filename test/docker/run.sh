#!/usr/bin/env bash
# npm run test:docker — the deployment kit (examples/deploy) built and run with a real Docker engine.
#
# Installs Docker and compose v2 from Debian's packages when missing, starts dockerd when none
# answers, makes the Dockerfile's base images locally (no image registry is ever asked), runs the
# scenario (test/docker/scenario.ts) with the kit's own files on the host network, prints one
# `N passed, N failed` line, and stops every daemon it started — also when it fails or is stopped.
# Logs and screenshots: test-results/docker/.
#
# REQUIRE_DOCKER=1  no engine to be had (not root, no apt) is a failure, not a skip (CI sets it)
# KEEP_DOCKER_IMAGES=1  keep the images this run built (a faster next run); default: remove them
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
out="$repo/test-results/docker"
engine="$repo/test/docker/engine.sh"
docker() { /usr/bin/docker "$@"; }
verdict() { printf '\n%s passed, %s failed\n' "$1" "$2"; }

rm -rf "$out"
mkdir -p "$out"
state="$(mktemp -d /tmp/logo-fallback-docker-XXXXXX)"

# One run at a time on this machine: the volumes and the compose project have fixed names.
exec 9>"/tmp/logo-fallback-test-docker.lock"
if ! flock -n 9; then
  echo "test:docker: another run holds /tmp/logo-fallback-test-docker.lock; waiting for it"
  flock -w 1800 9 || { echo "test:docker: still held after 30 min"; verdict 0 1; exit 1; }
fi

images_before="$state/images-before"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  local rc=$?
  set +e
  if /usr/bin/docker info >/dev/null 2>&1; then
    docker compose -p logo-fallback down --remove-orphans >/dev/null 2>&1
    docker volume rm -f logo_fallback_media logo_fallback_data >/dev/null 2>&1
    docker image rm -f logo-fallback-context-probe >/dev/null 2>&1
    if [ "${KEEP_DOCKER_IMAGES:-0}" != 1 ] && [ -f "$images_before" ]; then
      # Only what this run made: every image that was not there before it (built, or a base made locally),
      # and the build cache when the engine is ours.
      comm -13 "$images_before" <(docker image ls -aq --no-trunc | sort -u) | xargs -r /usr/bin/docker image rm -f >/dev/null 2>&1
      [ ! -f "$state/dockerd.pid" ] || docker builder prune -af >/dev/null 2>&1
    fi
  fi
  "$engine" dns-stop "$state"
  "$engine" stop "$state"
  rm -rf "$state"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
set +e
"$engine" install 2>&1 | tee "$out/engine.log"
rc=${PIPESTATUS[0]}
[ "$rc" != 0 ] || { "$engine" start "$state" "$out" 2>&1 | tee -a "$out/engine.log"; rc=${PIPESTATUS[0]}; }
set -e
if [ "$rc" = 3 ] && [ "${REQUIRE_DOCKER:-0}" != 1 ]; then
  echo "SKIPPED: no Docker engine here, and none can be installed or started (needs root); REQUIRE_DOCKER=1 makes this a failure"
  verdict 0 0
  exit 0
fi
if [ "$rc" != 0 ]; then
  echo "test:docker: no Docker engine (see $out/engine.log)"
  verdict 0 1
  exit 1
fi

for volume in logo_fallback_media logo_fallback_data; do
  if docker volume inspect "$volume" >/dev/null 2>&1; then
    echo "test:docker: volume $volume exists; this test would delete it. If it is a leftover of an earlier run: docker volume rm $volume"
    verdict 0 1
    exit 1
  fi
done
docker image ls -aq --no-trunc | sort -u >"$images_before"

if ! "$engine" base-images "$state" "$out" 2>&1 | tee -a "$out/engine.log"; then
  verdict 0 1
  exit 1
fi
"$engine" dns-start "$state" "$out"

rc=0
DOCKER_TEST_OUT="$out" DOCKER_TEST_STATE="$state" node --import tsx test/docker/scenario.ts || rc=$?
if grep -qE 'registry-1\.docker\.io|auth\.docker\.io|production\.cloudflare\.docker\.com' "$out/dockerd.log" 2>/dev/null; then
  echo "test:docker: dockerd tried to reach a registry (see $out/dockerd.log)"
  rc=1
fi
echo "test:docker: $((SECONDS - started)) s"
exit "$rc"
