#!/usr/bin/env bash
# The container engine for `npm run test:docker`, on a Debian 12 machine without systemd whose only
# network is Debian's archive and the npm registry. Never asks an image registry for anything.
#
#   engine.sh install                   Docker engine, compose v2, buildx (+ mmdebstrap, dnsmasq) from Debian
#   engine.sh start STATE_DIR LOG_DIR   start dockerd unless one answers; STATE_DIR/dockerd.pid if we did
#   engine.sh stop STATE_DIR            stop the dockerd we started (nothing else)
#   engine.sh base-images WORK LOG_DIR  make the Dockerfile's FROM images locally, when missing
#   engine.sh dns-start STATE_DIR LOG_DIR [ADDRESS...] | dns-stop STATE_DIR   ("app" → 127.0.0.1, or the addresses)
#
# Exit status 0 on success; 3 from install/start when no engine can be had (not root, no apt).
set -euo pipefail

docker() { /usr/bin/docker "$@"; } # an unpackaged /usr/local/bin/docker of another version may shadow it
say() { printf 'engine: %s\n' "$*"; }
die() { printf 'engine: %s\n' "$*" >&2; exit 1; }

# The Debian archive apt uses here (deb822 sources), without the security suite.
mirror() { awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true; }
security_mirror() { awk '/^URIs:/ && $2 ~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true; }

have_engine() {
  [ -x /usr/bin/docker ] && /usr/bin/docker compose version 2>/dev/null | grep -q 'version v\?2\.' &&
    /usr/bin/docker buildx version >/dev/null 2>&1 && command -v mmdebstrap >/dev/null && command -v dnsmasq >/dev/null
}

cmd_install() {
  if have_engine; then say "installed: $(docker --version), $(docker compose version), buildx $(docker buildx version | cut -d' ' -f2)"; return; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "no Docker engine with compose v2, and no way to install one here (needs root and apt-get)"
    exit 3
  fi
  # bookworm's docker-compose is v1 (no `docker compose`) and it has no buildx. trixie's docker.io,
  # docker-cli, docker-compose and docker-buildx install cleanly on bookworm; the pin keeps
  # everything else on bookworm, and the trixie source is removed again once they are installed.
  local src=/etc/apt/sources.list.d/zz-logo-fallback-trixie.sources pin=/etc/apt/preferences.d/zz-logo-fallback-trixie
  local url; url="$(mirror)"; [ -n "$url" ] || url=http://deb.debian.org/debian
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$url" >"$src"
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 50\n' >"$pin"
  local rc=0
  { apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      docker.io/trixie docker-cli/trixie docker-compose/trixie docker-buildx/trixie mmdebstrap dnsmasq-base >/dev/null; } || rc=$?
  rm -f "$src" "$pin"
  apt-get update -qq || true
  [ "$rc" = 0 ] || die "apt-get could not install the engine (exit $rc)"
  have_engine || die "installed, but /usr/bin/docker compose is not v2, or buildx is missing"
  say "installed: $(docker --version), $(docker compose version), buildx $(docker buildx version | cut -d' ' -f2)"
}

cmd_start() {
  local state=$1 logs=$2
  if docker info >/dev/null 2>&1; then say "a dockerd already answers: using it, not stopping it"; return; fi
  [ "$(id -u)" = 0 ] || { say "no dockerd answers, and only root can start one"; exit 3; }
  mkdir -p "$state" "$logs"
  # No bridge and no iptables: containers and builds use the host network only. No systemd here:
  # dockerd is started by hand and starts its own containerd.
  cat >"$state/daemon.json" <<'JSON'
{
  "storage-driver": "overlay2",
  "iptables": false,
  "ip6tables": false,
  "bridge": "none",
  "ip-forward": false,
  "ip-masq": false,
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "2" }
}
JSON
  # A proxy on a closed loopback port: should anything try a registry after all, it fails here, at once.
  HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY='' \
    setsid dockerd --config-file "$state/daemon.json" --pidfile "$state/dockerd.pid" \
    >"$logs/dockerd.log" 2>&1 </dev/null &
  local i
  for i in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 "$logs/dockerd.log" >&2; die "dockerd did not answer within 60 s"; }
  say "dockerd started (pid $(cat "$state/dockerd.pid")), after ${i}s"
}

cmd_stop() {
  local state=$1 pid
  [ -f "$state/dockerd.pid" ] || return 0
  pid="$(cat "$state/dockerd.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; say "dockerd ($pid) killed after 30 s"; else say "dockerd ($pid) stopped"; fi
  fi
  rm -f "$state/dockerd.pid"
}

# --- base images --------------------------------------------------------------------------------
# The Dockerfile's FROM images, made from Debian's archive with mmdebstrap and `docker import`ed
# under the same names. Labelled, so that the test removes only stand-ins it made.
LABEL_KEY=org.logo-fallback.stand-in
slim=(--variant=minbase --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*')

debootstrap_to() { # debootstrap_to DIR LOG PACKAGES
  local dir=$1 log=$2 packages=$3 url sec
  url="$(mirror)"; sec="$(security_mirror)"
  [ -n "$url" ] || die "no Debian mirror in /etc/apt/sources.list.d/*.sources"
  local mirrors=("deb $url bookworm main" "deb $url bookworm-updates main")
  [ -z "$sec" ] || mirrors+=("deb $sec bookworm-security main")
  rm -rf "$dir"
  mmdebstrap "${slim[@]}" --include="$packages" bookworm "$dir" "${mirrors[@]}" >"$log" 2>&1 ||
    { tail -20 "$log" >&2; die "mmdebstrap failed (see $log)"; }
}

node_image() { # node:20-bookworm-slim: Debian minbase + this machine's Node (Debian's is 18), laid out as the official image
  local name=$1 work=$2 logs=$3 node ver r="$2/rootfs-node"
  node="$(readlink -f "$(command -v node)")"; ver="$("$node" --version)"
  case "$ver" in v2[0-9].*) ;; *) die "the host's node is $ver; the app needs >= 20" ;; esac
  debootstrap_to "$r" "$logs/mmdebstrap-node.log" ca-certificates
  install -D -m 0755 "$node" "$r/usr/local/bin/node"
  mkdir -p "$r/usr/local/lib/node_modules" "$r/usr/local/include"
  cp -a /usr/lib/node_modules/npm "$r/usr/local/lib/node_modules/"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"
  cp -a /usr/include/node "$r/usr/local/include/node" # node-gyp builds better-sqlite3 against these, no download
  # This machine reaches the npm registry through a TLS-inspecting egress: trust its CAs too.
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$r/usr/local/share/ca-certificates/"
    chroot "$r" update-ca-certificates >/dev/null
  fi
  tar -C "$r" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=${ver#v}" \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV npm_config_nodedir=/usr/local' \
    --change 'ENV npm_config_build_from_source=true' \
    --change "LABEL $LABEL_KEY=\"$name: Debian bookworm minbase + the host's node $ver\"" \
    --change 'CMD ["node"]' - "$name" >/dev/null
  rm -rf "$r"
}

nginx_image() { # nginx:1.27-bookworm: Debian minbase + Debian's nginx (1.22)
  local name=$1 work=$2 logs=$3 r="$2/rootfs-nginx"
  debootstrap_to "$r" "$logs/mmdebstrap-nginx.log" nginx
  tar -C "$r" -c . | docker import \
    --change "LABEL $LABEL_KEY=\"$name: Debian bookworm minbase + Debian's nginx\"" \
    --change 'EXPOSE 80' --change 'STOPSIGNAL SIGQUIT' \
    --change 'CMD ["nginx", "-g", "daemon off;"]' - "$name" >/dev/null
  rm -rf "$r"
}

debian_image() { # debian:bookworm-slim: Debian minbase (the redis target installs Debian's redis-server on it)
  local name=$1 work=$2 logs=$3 r="$2/rootfs-debian"
  debootstrap_to "$r" "$logs/mmdebstrap-debian.log" ca-certificates
  tar -C "$r" -c . | docker import \
    --change "LABEL $LABEL_KEY=\"$name: Debian bookworm minbase\"" \
    --change 'CMD ["bash"]' - "$name" >/dev/null
  rm -rf "$r"
}

cmd_base_images() {
  local work=$1 logs=$2 dockerfile from kind pids=() names=() rc=0
  dockerfile="$(dirname "$0")/../../examples/deploy/Dockerfile"
  mkdir -p "$work" "$logs"
  # All in parallel: mmdebstrap waits on the network and dpkg more than on the CPU.
  while read -r from; do
    if docker image inspect "$from" >/dev/null 2>&1; then say "$from: present"; continue; fi
    case "$from" in node:*) kind=node_image ;; nginx:*) kind=nginx_image ;; debian:*) kind=debian_image ;; *) die "no local recipe for FROM $from" ;; esac
    "$kind" "$from" "$work" "$logs" >"$logs/base-$kind.log" 2>&1 &
    pids+=("$!"); names+=("$from")
  done < <(awk 'toupper($1) == "FROM" { if (!($2 in stage)) print $2; if (toupper($3) == "AS") stage[$4] = 1 }' "$dockerfile" | sort -u)
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then say "${names[$i]}: made locally"; else rc=1; cat "$logs"/base-*.log >&2; fi
  done
  [ "$rc" = 0 ] || die "a base image could not be made"
}

cmd_dns_start() { # nginx.conf's `resolver 127.0.0.11` is Docker's DNS on compose networks; on the host network a dnsmasq answers "app"
  local state=$1 logs=$2 address records=()
  shift 2
  # "app" is every replica: one address each (the replicas test binds the second to 127.0.0.2).
  for address in "${@:-127.0.0.1}"; do records+=("--host-record=app,$address"); done
  dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --no-poll --bind-interfaces \
    --listen-address=127.0.0.11 --port=53 "${records[@]}" --pid-file="$state/dnsmasq.pid" \
    --log-facility="$logs/dnsmasq.log"
  sleep 0.2
  kill -0 "$(cat "$state/dnsmasq.pid")" 2>/dev/null || die "dnsmasq did not start (is 127.0.0.11:53 taken?)"
  say "dnsmasq on 127.0.0.11:53 (pid $(cat "$state/dnsmasq.pid")): app is ${*:-127.0.0.1}"
}

cmd_dns_stop() {
  local state=$1 pid
  [ -f "$state/dnsmasq.pid" ] || return 0
  pid="$(cat "$state/dnsmasq.pid")"
  kill "$pid" 2>/dev/null || true
  # Gone before it returns: a dns-start right after must find 127.0.0.11:53 free.
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$state/dnsmasq.pid"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start "$2" "$3" ;;
  stop) cmd_stop "$2" ;;
  base-images) cmd_base_images "$2" "$3" ;;
  dns-start) shift; cmd_dns_start "$@" ;;
  dns-stop) cmd_dns_stop "$2" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
