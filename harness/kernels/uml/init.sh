#!/bin/sh
# Init of a UML guest (see uml/command-line.ts). The host's root is mounted read-only through
# hostfs, so every program here is the host's. The kernel command line hands over four host paths
# as environment words: BONDLAB_SHARE (writable folder, mounted at the same path), BONDLAB_JOB (the
# job file in it), BONDLAB_NODE and BONDLAB_ENTRY (the guest entry). Nothing is interpolated into
# this file: it is the same for every run.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
here=${0%/*}

# The exit status of linux.uml on the host; status 125 means the guest itself could not start the
# job, and the console (kept by the host) says why.
power_off() {
	echo "$1" >/proc/exitcode
	echo o >/proc/sysrq-trigger
	# init must outlive the power-off, or the kernel panics.
	sleep 30
	poweroff -f
	while :; do sleep 3600; done
}

fail() {
	echo "bondlab-init: $*" >&2
	power_off 125
}

# proc, sysfs, tmpfs on /run (ip netns) and /run/tmp (TMPDIR), and the UML modules under
# /run/uml: one exec. The host's /tmp stays visible, read-only: a checkout may live there.
mount -a -T "$here/fstab" || echo "bondlab-init: some mounts of $here/fstab failed" >&2
# Module autoload: the kernel runs this wrapper, which points modprobe at /run/uml/lib/modules.
echo "$here/modprobe.sh" >/proc/sys/kernel/modprobe || echo "bondlab-init: no module autoload" >&2
# IPv6 is a module here, and the kernel never autoloads an address family for rtnetlink: without
# this, `ip address add 2001:2::1/64` fails with "Operation not supported".
"$here/modprobe.sh" ipv6 || echo "bondlab-init: cannot load ipv6" >&2

[ -n "$BONDLAB_SHARE" ] && [ -n "$BONDLAB_JOB" ] || fail "BONDLAB_SHARE or BONDLAB_JOB is not set"
mount -m -t hostfs -o "$BONDLAB_SHARE" none "$BONDLAB_SHARE" || fail "cannot mount $BONDLAB_SHARE"

TMPDIR=/run/tmp
export TMPDIR
"$BONDLAB_NODE" "$BONDLAB_ENTRY" "$BONDLAB_JOB"
power_off $?
