#!/bin/sh
# Provisioning step 3 of 3, as root: the bonding driver of Debian's kernel, loaded the way bondlab
# expects it. Idempotent.
set -eu

say() { echo "bondlab provision (kernel): $*"; }

# Without max_bonds=0, loading bonding creates a bond0 in the initial namespace.
conf=/etc/modprobe.d/bondlab-bonding.conf
want='options bonding max_bonds=0'
if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
  echo "$want" >"$conf"
  say "wrote $conf"
fi

release=$(uname -r)
if ! modprobe -n bonding 2>/dev/null; then
  echo "bondlab provision: no bonding module for the running kernel $release" \
    "(is /lib/modules/$release there? a kernel upgrade needs a reboot: vagrant reload)" >&2
  exit 1
fi
modprobe bonding

# A bond in a throwaway namespace proves the driver works here, the way bondlab uses it.
ns="bondlab-provision-$$"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip -n "$ns" link add probe0 type bond mode 802.3ad
ip -n "$ns" link add probe1 type veth peer name probe2
ip -n "$ns" link set probe1 master probe0
speed=$(ip netns exec "$ns" cat /sys/class/net/probe1/speed 2>/dev/null || echo unknown)
say "bonding works on $release (802.3ad bond over veth, slave speed $speed Mb/s)"
