#!/bin/sh
# The baseline: the standard topology (a client with two NICs on a bridge, and a server) written
# by hand, one `ip` command per step, as such setups usually are. With `bond`, the client's two
# NICs form bond0 (active-backup, miimon 100), as the harness builds it.
# Usage: topology.sh PREFIX up [bond] | topology.sh PREFIX down
set -eu
p=$1
case $2 in
up)
  ip netns add "$p-client"
  ip netns add "$p-server"
  ip netns add "$p-sw"
  ip -n "$p-client" link set lo up
  ip -n "$p-server" link set lo up
  ip -n "$p-sw" link set lo up
  ip link add eth0 netns "$p-client" type veth peer name p1 netns "$p-sw"
  ip link add eth1 netns "$p-client" type veth peer name p2 netns "$p-sw"
  ip link add eth0 netns "$p-server" type veth peer name p3 netns "$p-sw"
  ip -n "$p-sw" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
  for port in p1 p2 p3; do
    ip -n "$p-sw" link set "$port" master br0
    ip -n "$p-sw" link set "$port" up
  done
  ip -n "$p-sw" link set br0 up
  if [ "${3:-}" = bond ]; then
    ip -n "$p-client" link add bond0 type bond mode active-backup miimon 100
    ip -n "$p-client" link set eth0 master bond0
    ip -n "$p-client" link set eth1 master bond0
  fi
  ip -n "$p-client" link set eth0 up
  ip -n "$p-client" link set eth1 up
  ip -n "$p-server" link set eth0 up
  if [ "${3:-}" = bond ]; then
    ip -n "$p-client" link set bond0 up
    ip -n "$p-client" address add 198.18.0.1/24 dev bond0
    ip -n "$p-client" address add 2001:2::1/64 dev bond0 nodad
  else
    ip -n "$p-client" address add 198.18.0.1/24 dev eth0
    ip -n "$p-client" address add 2001:2::1/64 dev eth0 nodad
    ip -n "$p-client" address add 198.18.0.2/24 dev eth1
    ip -n "$p-client" address add 2001:2::2/64 dev eth1 nodad
  fi
  ip -n "$p-server" address add 198.18.0.3/24 dev eth0
  ip -n "$p-server" address add 2001:2::3/64 dev eth0 nodad
  # Ready when a ping crosses, both families; bounded to 100 tries.
  for _ in $(seq 100); do
    if ip netns exec "$p-client" ping -4 -c1 -W1 -q 198.18.0.3 >/dev/null &&
      ip netns exec "$p-client" ping -6 -c1 -W1 -q 2001:2::3 >/dev/null; then
      exit 0
    fi
    sleep 0.01
  done
  exit 1
  ;;
down)
  ip netns del "$p-client"
  ip netns del "$p-server"
  ip netns del "$p-sw"
  ;;
esac
