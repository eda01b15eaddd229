#!/usr/bin/env bash
# Sets up bondlab on a fresh Debian or Ubuntu machine, as root: the system packages it drives
# (iproute2, iperf3, ping, kmod) and the guest kernels it boots when the host kernel has no
# bonding (User-mode Linux; QEMU with busybox-static for its initramfs), then the npm
# dependencies and the build.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (it installs packages with apt-get; bondlab needs root to create namespaces)" >&2
  exit 2
fi
if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "setup.sh: bondlab needs Node.js 20.19 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 2
fi

packages=(iproute2 iperf3 iputils-ping kmod procps util-linux user-mode-linux qemu-system-x86 busybox-static gcc libc6-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
