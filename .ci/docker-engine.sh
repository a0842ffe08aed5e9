#!/usr/bin/env bash
# A Docker engine for it-tests' ContainerScenariosIT, on a machine with apt and no image registry.
# Idempotent; needs root. Prints the exports Testcontainers needs on stdout (logs go to stderr):
#
#   eval "$(bash .ci/docker-engine.sh)"
#   mvn -B verify -pl it-tests -am -Dit.test=ContainerScenariosIT
#
# 1. installs docker.io and debootstrap with apt-get, only those missing;
# 2. starts dockerd (published ports on 127.0.0.1 only) unless `docker info` answers, after removing
#    pid files left by an engine that died without cleaning up;
# 3. when the Dockerfile's base image (eclipse-temurin:17-jre) is absent and cannot be pulled:
#    debootstraps a Debian minbase with a Java 17 JRE from the mirror this machine's apt uses and
#    imports it under that tag, so distribution/src/docker/Dockerfile builds unmodified;
# 4. prints the Testcontainers exports.
#
# Exits non-zero with one "docker-engine: error: ..." line when the engine cannot be had.
# Cost, measured on the 2-core build machine: the first run 300 s (apt-get 33 s, debootstrap 248 s,
# docker import 5 s); with the image there, 1-2 s (engine up) or 6 s (engine started).
# Overrides (environment): IMAGE, SUITE (bookworm), JAVA_PKG (openjdk-17-jre-headless), MIRROR (read
# from apt), DOCKERD_LOG (/var/log/dockerd.log). Several runs at once wait for each other (flock).
set -euo pipefail

IMAGE=${IMAGE:-eclipse-temurin:17-jre}
SUITE=${SUITE:-bookworm}
JAVA_PKG=${JAVA_PKG:-openjdk-17-jre-headless}
MIRROR=${MIRROR:-}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
PIDFILE=/var/run/docker.pid
CONTAINERD_PIDFILE=/var/run/docker/containerd/containerd.pid
LOCK=/var/lock/qilin-docker-engine.lock
started_at=$SECONDS

log() { echo "docker-engine: $*" >&2; }
die() { echo "docker-engine: error: $*" >&2; exit 1; }
answers() { timeout 10 docker info >/dev/null 2>&1; }

# Without root nothing can be installed or started: an engine that answers is used as it is.
if [ "$(id -u)" != 0 ]; then
  command -v docker >/dev/null && answers || die "no Docker engine answers and starting one needs root (apt-get, dockerd, debootstrap)"
  log "not root: using the engine that answers as it is"
  docker image inspect "$IMAGE" >/dev/null 2>&1 || log "warning: no $IMAGE image here; building the Dockerfile pulls it"
else
exec 9>"$LOCK"
flock 9

# ---- 1. packages
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in docker.io debootstrap; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  t=$SECONDS
  apt-get update -q >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
  log "installed in $((SECONDS - t)) s"
fi

# ---- 2. the engine

# The pid in pid file $1 when a live (not zombie) process named $2 has it; fails otherwise.
live_pid() {
  local pid comm state
  [ -r "$1" ] || return 1
  pid=$(tr -dc 0-9 <"$1") || return 1
  [ -n "$pid" ] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$comm" = "$2" ] && [ "$state" != Z ] && [ "$state" != X ] && echo "$pid"
}

if answers; then
  log "the engine answers"
else
  started=
  if pid=$(live_pid "$PIDFILE" dockerd); then
    log "dockerd (pid $pid) is running but does not answer yet: waiting for it"
  else
    # A pid file outlives a dockerd killed with SIGKILL. If its pid is alive (reused, or a zombie
    # not reaped yet), dockerd refuses to start ("pid file found"); a stale containerd.pid with a
    # live pid makes it wait for that "containerd" and give up after 15 s.
    if [ -e "$PIDFILE" ]; then
      log "removing stale $PIDFILE"
      rm -f "$PIDFILE"
    fi
    if [ -e "$CONTAINERD_PIDFILE" ] && ! live_pid "$CONTAINERD_PIDFILE" containerd >/dev/null; then
      log "removing stale $CONTAINERD_PIDFILE"
      rm -f "$CONTAINERD_PIDFILE"
    fi
    log "starting dockerd (log: $DOCKERD_LOG)"
    # --ip: ports published by Testcontainers bind 127.0.0.1, not every interface.
    # setsid and the redirects: it outlives this shell and holds no caller's pipe open.
    setsid dockerd --ip=127.0.0.1 >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
    started=$!
  fi
  t=$SECONDS
  until answers; do
    if [ -n "$started" ] && ! kill -0 "$started" 2>/dev/null; then
      if pid=$(live_pid "$PIDFILE" dockerd); then
        log "another dockerd (pid $pid) was starting meanwhile: waiting for it"
        started=
      else
        tail -n 5 "$DOCKERD_LOG" >&2 || true
        die "dockerd exited at start; see $DOCKERD_LOG"
      fi
    fi
    [ $((SECONDS - t)) -lt 60 ] || die "the engine does not answer 60 s after it started; see $DOCKERD_LOG"
    sleep 0.2
  done
  log "the engine answers after $((SECONDS - t)) s"
fi

# ---- 3. the base image
# The Repo-URI of the Debian mirror this machine's apt uses for $SUITE (main), else of its first
# Debian suite that is not -security/-updates/-backports: a Debian mirror serves the other suites too.
# shellcheck disable=SC2016  # $(REPO_URI) and the like are apt's format fields, not shell
apt_mirror() {
  local m
  m=$(apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 'Target-Of: deb' 'Component: main' 2>/dev/null \
    | awk -v s="$SUITE" '$2 == s { print $1; exit }')
  [ -n "$m" ] || m=$(apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 'Target-Of: deb' 'Component: main' 2>/dev/null \
    | awk '$1 ~ /\/debian\/?$/ && $2 !~ /-(security|updates|backports)$/ { print $1; exit }')
  echo "$m"
}

scratch=
cleanup() {
  [ -n "$scratch" ] && [ -d "$scratch" ] || return 0
  # debootstrap mounts /proc and /sys in the target and may leave them mounted when it fails
  awk -v w="$scratch/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r -n 1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE is there"
elif timeout 60 docker pull -q "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE pulled"
else
  [ -n "$MIRROR" ] || MIRROR=$(apt_mirror)
  [ -n "$MIRROR" ] || die "no $IMAGE, no registry, and no Debian mirror in apt's sources to build one (set MIRROR)"
  [ -e "/usr/share/debootstrap/scripts/$SUITE" ] || die "debootstrap knows no suite $SUITE (set SUITE)"
  log "building $IMAGE: debootstrap $SUITE with $JAVA_PKG from $MIRROR (a few minutes)"
  scratch=$(mktemp -d -t qilin-docker-engine.XXXXXX)
  t=$SECONDS
  if ! debootstrap --variant=minbase --include="$JAVA_PKG" "$SUITE" "$scratch/rootfs" "$MIRROR" >"$scratch/debootstrap.log" 2>&1; then
    tail -n 15 "$scratch/debootstrap.log" >&2
    die "debootstrap $SUITE failed (the lines above are the end of its log)"
  fi
  log "debootstrap: $((SECONDS - t)) s"
  # apt's downloaded .debs and lists (about 140 MB), and docs and locales: not needed in the image
  rm -rf "$scratch"/rootfs/var/cache/apt/archives/*.deb "$scratch"/rootfs/var/cache/apt/*.bin \
    "$scratch"/rootfs/var/lib/apt/lists/* "$scratch"/rootfs/usr/share/doc/* "$scratch"/rootfs/usr/share/locale/*
  java=$(readlink "$scratch/rootfs/etc/alternatives/java" || true)
  [ -n "$java" ] && [ -x "$scratch/rootfs$java" ] || die "no java in the rootfs (the $JAVA_PKG alternatives link is missing)"
  t=$SECONDS
  # an imported image has no ENV: PATH and JAVA_HOME as the real image sets them
  tar -C "$scratch/rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV JAVA_HOME=${java%/bin/java}" \
    --change 'CMD ["bash"]' \
    - "$IMAGE" >/dev/null || die "docker import of the rootfs failed"
  log "docker import: $((SECONDS - t)) s"
  cleanup
  scratch=
  docker run --rm --network none "$IMAGE" java -version >/dev/null 2>&1 || die "java does not run in the $IMAGE just built"
  log "$IMAGE built"
fi

# images the IT built and left behind (without Ryuk nothing removes them): 17 MB of layers each
docker image prune -f --filter "label=org.testcontainers=true" >/dev/null 2>&1 || true
log "ready in $((SECONDS - started_at)) s"
fi

# ---- 4. for Testcontainers. Without a registry, Ryuk (testcontainers/ryuk) cannot be pulled: the
# pull retries for minutes. /.dockerenv (this machine is itself a container) makes Testcontainers
# look for the engine on the bridge gateway; the engine publishes ports on loopback.
echo "export TESTCONTAINERS_RYUK_DISABLED=true"
if [ -e /.dockerenv ]; then
  echo "export TESTCONTAINERS_HOST_OVERRIDE=localhost"
fi
