#!/usr/bin/env bash
# Deploys the logo-fallback demo app behind nginx, with media and data on named Docker volumes
# that survive every redeploy. Run it again to deploy a new version: the volumes are kept.
#
#   ./deploy.sh [--dry-run] [--env-file FILE] [--override FILE]... [--pull] [--check-media KEY] [--timeout SECONDS]
#
# Exit status: 0 deployed and every check passed; 1 a step or a check failed (the reason is printed
# last); 2 bad usage.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
compose_file="$here/docker-compose.production.yaml"
env_file="$here/.env.production"
overrides=()
media_volume="logo_fallback_media"
data_volume="logo_fallback_data"
check_media=""
health_timeout=120
dry_run=false
pull=false

usage() {
  cat <<USAGE
Usage: deploy.sh [--dry-run] [--env-file FILE] [--override FILE]... [--pull] [--check-media KEY] [--timeout SECONDS]

  --dry-run          print every step and command without running any
  --env-file FILE    the settings, for compose and the app alike (default: $env_file)
  --override FILE    a compose file layered over the kit's (site settings: networks, limits…);
                     repeatable
  --pull             fetch newer base images while building (default: build from the images
                     already on this machine, or from your mirror)
  --check-media KEY  also check that this media file is served through nginx
  --timeout SECONDS  how long to wait for the app to be healthy (default: $health_timeout)

HTTP_PORT, the host port nginx listens on, and NGINX_MEDIA, how nginx serves /media/ (accel or
direct), come from the environment, else from the env file, else 80 and accel (the order compose
itself uses).
USAGE
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --env-file) env_file="${2:?--env-file needs a file}"; shift ;;
    --override) overrides+=("${2:?--override needs a file}"); shift ;;
    --pull) pull=true ;;
    --check-media) check_media="${2:?--check-media needs a key}"; shift ;;
    --timeout) health_timeout="${2:?--timeout needs seconds}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'deploy.sh: unknown option %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ "$health_timeout" =~ ^[0-9]+$ ]] || { printf 'deploy.sh: --timeout must be whole seconds, got %s\n' "$health_timeout" >&2; exit 2; }

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'deploy.sh: %s\n' "$*" >&2; exit 1; }
# Quotes one word for a shell: as it is when that is safe, else in single quotes.
quote() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
# Prints a command as it can be pasted into a shell.
show() {
  printf '+'
  for word in "$@"; do printf ' '; quote "$word"; done
  printf '\n'
}

# Runs a command, or only prints it with --dry-run.
run() {
  if "$dry_run"; then show "$@"; else "$@"; fi
}

# Every compose command gets the same project flags: the kit's file, the overrides, the env file.
compose_args=(compose --project-directory "$here" --env-file "$env_file" -f "$compose_file")
for file in "${overrides[@]+"${overrides[@]}"}"; do compose_args+=(-f "$file"); done
compose() { run docker "${compose_args[@]}" "$@"; }

# A variable's value in the env file: KEY=value, optionally exported, quoted or followed by a
# comment; the last assignment wins (as compose reads it).
env_value() {
  local line value
  [ -f "$env_file" ] || return 0
  line="$(sed -n -E "s/^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=[[:space:]]*//p" "$env_file" | tail -n 1)"
  case "$line" in
    \"*) value="${line#\"}"; value="${value%%\"*}" ;;
    \'*) value="${line#\'}"; value="${value%%\'*}" ;;
    *) value="${line%%[[:space:]]#*}"; value="${value%"${value##*[![:space:]]}"}" ;;
  esac
  printf '%s' "$value"
}

http_port="${HTTP_PORT:-$(env_value HTTP_PORT)}"
http_port="${http_port:-80}"
if ! [[ "$http_port" =~ ^[0-9]+$ ]] || [ "$http_port" -lt 1 ] || [ "$http_port" -gt 65535 ]; then
  fail "HTTP_PORT must be a port number (1-65535), got \"$http_port\""
fi
base_url="http://127.0.0.1:${http_port}"
# accel: /media/ through the app's permission check and X-Accel-Redirect; direct: from the volume
# (nginx.conf, top). The web image is built with nginx-media-$NGINX_MEDIA.conf.
nginx_media="${NGINX_MEDIA:-$(env_value NGINX_MEDIA)}"
nginx_media="${nginx_media:-accel}"
case "$nginx_media" in
  accel | direct) ;;
  *) fail "NGINX_MEDIA must be accel (through the app) or direct (from the volume), got \"$nginx_media\"" ;;
esac

# The app's companies as NDJSON, piped into the package's CLI, both inside the app container.
export_companies='node dist/examples/demo/export-companies.js'
# The hint lists every lost file. --max-missing 1: the audit's brake (exit 3, "the storage looks
# unmounted") guards repair output against an unmounted volume; the doctor has just said the volume
# is lost, and this command writes no repair, so the brake would only add "stopped" (after the full
# list). With it, the command exits 1 when something is listed, as a listing does.
audit_hint=(docker "${compose_args[@]}" exec -T app sh -c "$export_companies | logo-fallback audit --root \"\$MEDIA_ROOT\" --max-missing 1 -")

step "1/8 Check docker and docker compose"
if ! "$dry_run"; then
  command -v docker >/dev/null 2>&1 || fail "docker is not installed"
  command -v curl >/dev/null 2>&1 || fail "curl is not installed (it checks what nginx serves)"
  docker compose version >/dev/null 2>&1 || fail "docker compose (v2) is not installed: 'docker compose version' fails"
fi
run docker version
run docker compose version

step "2/8 Check the settings"
if [ ! -f "$env_file" ]; then
  "$dry_run" || fail "$env_file not found: cp '$here/.env.production.example' '$env_file' and edit it"
  printf '(dry run: %s does not exist yet; copy .env.production.example to it)\n' "$env_file"
fi
compose config --quiet

step "3/8 Create the media and data volumes if missing (existing ones are kept)"
for volume in "$media_volume" "$data_volume"; do
  if "$dry_run"; then
    printf '+ docker volume inspect %q || docker volume create %q\n' "$volume" "$volume"
  elif docker volume inspect "$volume" >/dev/null 2>&1; then
    printf 'volume %s exists: kept\n' "$volume"
  else
    run docker volume create "$volume"
  fi
done

step "4/8 Build the images$("$pull" && printf ' (fetching newer base images)')"
if "$pull"; then compose build --pull; else compose build; fi

step "5/8 Start the new containers (the volumes are mounted again, nothing in them changes)"
if ! compose up -d --remove-orphans --no-build --pull never; then
  compose logs --tail 50 || true
  fail "the containers did not start (their logs above; an unhealthy app says why on /healthz)"
fi

step "6/8 Wait until the app is healthy (at most ${health_timeout}s)"
if "$dry_run"; then
  printf "+ docker inspect --format %s \"\$(%s)\"   # every 2s until healthy\n" "$(quote '{{.State.Health.Status}}')" "$(show docker "${compose_args[@]}" ps -q app | cut -c3-)"
else
  # One container, or one per replica (docker-compose.replicas.yaml): each must be healthy.
  mapfile -t containers < <(docker "${compose_args[@]}" ps -q app)
  [ "${#containers[@]}" -gt 0 ] || fail "the app container is not running"
  deadline=$((SECONDS + health_timeout))
  for container in "${containers[@]}"; do
    until [ "$(docker inspect --format '{{.State.Health.Status}}' "$container")" = "healthy" ]; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        compose logs --tail 50 app >&2 || true
        fail "the app is not healthy after ${health_timeout}s (logs above; its /healthz says why)"
      fi
      sleep 2
    done
  done
  printf 'app is healthy (%s container%s)\n' "${#containers[@]}" "$([ "${#containers[@]}" -eq 1 ] || printf s)"
fi

# Answers "CODE TYPE" for a URL, or fails the deploy when nginx does not answer at all.
fetch() { curl -sS -o /dev/null -w '%{http_code} %{content_type}' "$1" || fail "nginx does not answer on $1"; }
expect() { # expect URL PATTERN WHAT
  local result
  result="$(fetch "$1")"
  # shellcheck disable=SC2254 # the pattern is meant to match
  case "$result" in $2) printf 'ok: %s answered %s\n' "$1" "$result" ;; *) fail "$1 answered \"$result\": $3" ;; esac
}

step "7/8 Check what nginx serves: the app, the static files, and every logo the page shows"
if "$dry_run"; then
  printf "+ curl -sS -o /dev/null -w '%%{http_code} %%{content_type}' %q   # expect 200 application/json\n" "$base_url/healthz"
  printf "+ curl -sS -o /dev/null -w '%%{http_code} %%{content_type}' %q   # expect 200 text/css\n" "$base_url/static/demo.css"
  printf '+ curl -sS %q | grep -o '"'"'src="/media/[^"]*"'"'"'   # each: expect 200 image/*\n' "$base_url/"
  [ -z "$check_media" ] || printf "+ curl -sS -o /dev/null -w '%%{http_code} %%{content_type}' %q   # expect 200 image/*\n" "$base_url/media/$check_media"
else
  expect "$base_url/healthz" '200 application/json*' "nginx does not reach the app"
  expect "$base_url/static/demo.css" '200 text/css*' "nginx does not serve its static files"
  # The page prints a /media/ URL only for a file that exists (that is the filters' job), so each
  # one must be served: if not, nginx cannot read the volume the app writes.
  page="$(curl -sS "$base_url/")" || fail "nginx does not answer on $base_url/"
  logos="$(printf '%s' "$page" | grep -o 'src="/media/[^"]*"' | sed -e 's/^src="//' -e 's/"$//' -e 's/&amp;/\&/g' | sort -u | head -n 20 || true)"
  if [ -z "$logos" ]; then
    printf 'no logo on the page to check: every company shows its avatar\n'
  else
    while read -r logo; do expect "$base_url$logo" '200 image/*' "the app published it, but nginx cannot send it from the media volume"; done <<<"$logos"
  fi
  [ -z "$check_media" ] || expect "$base_url/media/$check_media" '200 image/*' "--check-media: is the media volume mounted?"
fi

step "8/8 Check that media survives the next deploy (logo-fallback doctor, in the app container)"
doctor=(exec -T app sh -c "$export_companies | logo-fallback doctor --media-root \"\$MEDIA_ROOT\" --data-dir \"\$DATA_DIR\" --records -")
if "$dry_run"; then
  compose "${doctor[@]}"
elif ! compose "${doctor[@]}"; then
  printf '\nThe app is up and serves pages (a missing logo shows its avatar), but its media is not safe.\n' >&2
  printf 'List what is lost:\n  %s\n' "$(show "${audit_hint[@]}" | cut -c3-)" >&2
  printf 'Restore: README, "Keeping media across deploys" (back-up and restore).\n' >&2
  fail "logo-fallback doctor found a problem with the media (its report above)"
fi

step "Report"
compose ps
run docker volume ls --filter "name=logo_fallback_"
if "$dry_run"; then
  printf '\nDry run: nothing was run. A deploy would serve %s/ with media on volume %s (served %s) and data on volume %s.\n' "$base_url" "$media_volume" "$nginx_media" "$data_volume"
else
  printf '\nDeployed on %s/ — media on volume %s (served %s), data on volume %s.\n' "$base_url" "$media_volume" "$nginx_media" "$data_volume"
fi
