#!/usr/bin/env bash
# Deploys the logo-fallback demo app behind nginx, with media and data on named Docker volumes
# that survive every redeploy. Run it again to deploy a new version: the volumes are kept.
#
#   ./deploy.sh [--dry-run] [--env-file FILE] [--check-media KEY] [--timeout SECONDS]
#
# HTTP_PORT (default 80) is the host port nginx listens on.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
compose_file="$here/docker-compose.production.yaml"
env_file="$here/.env.production"
media_volume="logo_fallback_media"
data_volume="logo_fallback_data"
http_port="${HTTP_PORT:-80}"
check_media="base/company/icon/acme.png"
health_timeout=120
dry_run=false

usage() {
  cat <<USAGE
Usage: deploy.sh [--dry-run] [--env-file FILE] [--check-media KEY] [--timeout SECONDS]

  --dry-run          print every step and command without running any
  --env-file FILE    the app's settings (default: $env_file)
  --check-media KEY  a media file that must be served after the deploy
                     (default: $check_media, a logo the demo seeds on its first start)
  --timeout SECONDS  how long to wait for the app to be healthy (default: $health_timeout)

Environment: HTTP_PORT, the host port nginx listens on (default: 80).
USAGE
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --env-file) env_file="${2:?--env-file needs a file}"; shift ;;
    --check-media) check_media="${2:?--check-media needs a key}"; shift ;;
    --timeout) health_timeout="${2:?--timeout needs seconds}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'deploy.sh: unknown option %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'deploy.sh: %s\n' "$*" >&2; exit 1; }

# Runs a command, or only prints it with --dry-run.
run() {
  if "$dry_run"; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

compose() {
  run docker compose --project-directory "$here" --env-file "$env_file" -f "$compose_file" "$@"
}

step "1/7 Check docker and docker compose"
if ! "$dry_run"; then
  command -v docker >/dev/null 2>&1 || fail "docker is not installed"
  command -v curl >/dev/null 2>&1 || fail "curl is not installed (it checks that media is served)"
fi
run docker version
run docker compose version

step "2/7 Check the settings"
if [ ! -f "$env_file" ]; then
  "$dry_run" || fail "$env_file not found: cp '$here/.env.production.example' '$env_file' and edit it"
  printf '(dry run: %s does not exist yet; copy .env.production.example to it)\n' "$env_file"
fi
compose config --quiet

step "3/7 Create the media and data volumes if missing (existing ones are kept)"
for volume in "$media_volume" "$data_volume"; do
  if "$dry_run"; then
    printf '+ docker volume inspect %q || docker volume create %q\n' "$volume" "$volume"
  elif docker volume inspect "$volume" >/dev/null 2>&1; then
    printf 'volume %s exists: kept\n' "$volume"
  else
    run docker volume create "$volume"
  fi
done

step "4/7 Build the images"
compose build --pull

step "5/7 Start the new containers (the volumes are mounted again, nothing in them changes)"
compose up -d --remove-orphans

step "6/7 Wait until the app is healthy (at most ${health_timeout}s)"
if "$dry_run"; then
  printf "+ docker inspect --format '{{.State.Health.Status}}' \"\$(docker compose ps -q app)\"   # every 2s until healthy\n"
else
  container="$(docker compose --project-directory "$here" --env-file "$env_file" -f "$compose_file" ps -q app)"
  [ -n "$container" ] || fail "the app container is not running"
  deadline=$((SECONDS + health_timeout))
  until [ "$(docker inspect --format '{{.State.Health.Status}}' "$container")" = "healthy" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      compose logs --tail 50 app >&2 || true
      fail "the app is not healthy after ${health_timeout}s (logs above)"
    fi
    sleep 2
  done
  printf 'app is healthy\n'
fi

step "7/7 Check that a known media file is served through nginx"
url="http://127.0.0.1:${http_port}/media/${check_media}"
if "$dry_run"; then
  printf "+ curl -sS -o /dev/null -w '%%{http_code} %%{content_type}' %q   # expect 200 image/*\n" "$url"
else
  result="$(curl -sS -o /dev/null -w '%{http_code} %{content_type}' "$url")" || fail "nginx does not answer on $url"
  case "$result" in
    "200 image/"*) printf 'ok: %s answered %s\n' "$url" "$result" ;;
    *) fail "$url answered \"$result\": is the media volume mounted? List what is lost with: npx logo-fallback audit" ;;
  esac
fi

step "Report"
compose ps
run docker volume ls --filter "name=logo_fallback_"
if "$dry_run"; then
  printf '\nDry run: nothing was run. A deploy would serve http://127.0.0.1:%s/ with media on volume %s and data on volume %s.\n' "$http_port" "$media_volume" "$data_volume"
else
  printf '\nDeployed on http://127.0.0.1:%s/ — media on volume %s, data on volume %s.\n' "$http_port" "$media_volume" "$data_volume"
fi
