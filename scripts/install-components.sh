#!/usr/bin/env bash
# Makes sure the real components the tests use are installed. Installs what Debian packages can
# provide; fails with a clear message for anything it cannot install. Starting and stopping them
# is the tests' job.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing() { echo "::error::$1" >&2; exit 1; }

command -v git >/dev/null || missing "git is not installed: apt-get install git"
command -v moto_server >/dev/null || missing 'moto_server is not on PATH: pip install "moto[server]" (the AWS integration tests run against it)'
echo "moto: $(moto_server --version 2>/dev/null || python3 -c 'import moto; print(moto.__version__)')"

# Docker for the build-push tests: Debian's engine, registry and htpasswd, and buildx from Debian
# trixie as a docker CLI plugin. Nothing is started here; the tests start a private dockerd and
# registry and stop them.
debian_mirror() {
  local uri
  uri=$(grep -hsE '^URIs:.*debian' /etc/apt/sources.list.d/*.sources | grep -v security | awk '{print $2; exit}')
  [ -n "$uri" ] || uri=$(grep -hsE '^deb .*debian' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | grep -v security |
    sed -E 's/\[[^]]*\] *//' | awk '{print $2; exit}')
  echo "${uri:-http://deb.debian.org/debian}"
}

docker_packages=()
command -v dockerd >/dev/null || docker_packages+=(docker.io)
command -v docker-registry >/dev/null || docker_packages+=(docker-registry)
command -v htpasswd >/dev/null || docker_packages+=(apache2-utils)
command -v unshare >/dev/null || docker_packages+=(util-linux)
# Promotion copies images between registries by digest with skopeo (GitHub's Ubuntu runners have it).
command -v skopeo >/dev/null || docker_packages+=(skopeo)
if [ ${#docker_packages[@]} -gt 0 ]; then
  echo "Installing ${docker_packages[*]}"
  # The packages must not start a system Docker engine: deny service starts while they install.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${docker_packages[@]}" >/dev/null ||
    missing "apt-get could not install ${docker_packages[*]} (the build-push tests need them)"
fi
command -v docker >/dev/null || missing "the docker CLI is not installed: apt-get install docker.io"

if ! docker buildx version >/dev/null 2>&1; then
  # A private apt state with only the trixie suite: the machine's own sources and lists stay as they are.
  echo "Installing docker-buildx from Debian trixie as a docker CLI plugin"
  apt_dir=$(mktemp -d)
  mkdir -p "$apt_dir/sources" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/root"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$(debian_mirror)" >"$apt_dir/sources/trixie.sources"
  apt_options=(-q -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources" -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root")
  apt-get "${apt_options[@]}" update >/dev/null
  (cd "$apt_dir" && apt-get "${apt_options[@]}" download docker-buildx >/dev/null)
  dpkg-deb -x "$apt_dir"/docker-buildx_*.deb "$apt_dir/root"
  as_root install -D -m 0755 "$apt_dir/root/usr/libexec/docker/cli-plugins/docker-buildx" /usr/libexec/docker/cli-plugins/docker-buildx
  rm -rf "$apt_dir"
  docker buildx version >/dev/null 2>&1 || missing "docker buildx still does not work after installing Debian trixie's docker-buildx"
fi
echo "docker: $(docker --version); $(dockerd --version)"
echo "buildx: $(docker buildx version)"
echo "registry: $(docker-registry --version)"
echo "skopeo: $(skopeo --version)"
