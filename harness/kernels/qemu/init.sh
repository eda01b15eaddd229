#!/bin/sh
# Init of a QEMU guest (see qemu/command-line.ts). It runs twice, both times as busybox's sh:
# - as /init of the initramfs: loads the virtio and 9p modules listed in /etc/bondlab-modules,
#   mounts the host's root read-only over 9p, the guest's own /proc, /sys, /dev, /run and /tmp,
#   the share folder (writable) at its host path, sets up module autoload, then switches root to
#   the host's tree and runs itself again from /run/bondlab (a tmpfs, with busybox beside it);
# - as `init.sh run`: runs the guest entry with the host's node and hands its exit status to QEMU
#   through the isa-debug-exit port.
# The kernel command line hands over environment words: BONDLAB_SHARE (the share folder),
# BONDLAB_JOB (the job file in it), BONDLAB_NODE and BONDLAB_ENTRY (the guest entry),
# BONDLAB_MODULES (the folder holding lib/modules/<release> as the guest sees it, if any; when it
# is /run/bondlab/modules, it is mounted from a 9p export of its own) and BONDLAB_TRACE=1 (print
# when each step starts). Nothing is interpolated into this file: it is the same for every run.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
if [ "$1" = run ]; then bb=/run/bondlab/busybox; else bb=/bin/busybox; fi

# QEMU exits with status 2N+1 when N is written to port 0xf4 (-device isa-debug-exit).
power_off() {
	$bb sync
	printf "\\$(printf %o "$1")" | $bb dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	echo "bondlab-init: the isa-debug-exit port did not stop QEMU" >&2
	echo o >/proc/sysrq-trigger
	while :; do $bb sleep 3600; done
}

# Status 125: the guest itself could not start the job; the console (kept by the host) says why.
fail() {
	echo "bondlab-init: $*" >&2
	power_off 125
}

# With BONDLAB_TRACE=1: the guest's uptime as each step starts, for benchmarks.
trace() {
	if [ "$BONDLAB_TRACE" = 1 ]; then
		read -r up _ </proc/uptime
		echo "bondlab-init: $up $1"
	fi
}

if [ "$1" != run ]; then
	$bb mount -t proc proc /proc
	$bb mount -t devtmpfs devtmpfs /dev
	trace modules
	while read -r module; do
		$bb insmod "/lib/modules/$module" || fail "cannot load $module"
	done </etc/bondlab-modules
	trace mounts
	opts=trans=virtio,version=9p2000.L,msize=512000
	if ! $bb mount -t 9p -o "$opts,cache=loose,ro" bondlab-root /newroot; then
		[ -n "$BONDLAB_MODULES" ] || fail "cannot mount the host's root over 9p: this kernel has" \
			"no CONFIG_VIRTIO_PCI, CONFIG_NET_9P_VIRTIO and CONFIG_9P_FS built in, and no modules were given"
		fail "cannot mount the host's root over 9p"
	fi
	$bb mount -t proc -o nosuid,nodev,noexec proc /newroot/proc
	$bb mount -t sysfs -o nosuid,nodev,noexec sysfs /newroot/sys
	# A second mount of the same devtmpfs: /dev/port stays here for power_off until switch_root.
	$bb mount -t devtmpfs devtmpfs /newroot/dev
	$bb mkdir -p /newroot/dev/shm /newroot/dev/pts
	$bb mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /newroot/dev/shm
	$bb mount -t devpts -o nosuid,noexec,mode=620,ptmxmode=666 devpts /newroot/dev/pts
	# ip netns needs a writable /run; TMPDIR is /run/tmp. The host's /tmp stays visible, read-only:
	# a checkout may live there.
	$bb mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /newroot/run
	$bb mkdir -p /newroot/run/bondlab /newroot/run/tmp
	$bb chmod 1777 /newroot/run/tmp
	if [ "$BONDLAB_MODULES" = /run/bondlab/modules ]; then
		$bb mkdir /newroot/run/bondlab/modules
		$bb mount -t 9p -o "$opts,cache=loose,ro" bondlab-modules /newroot/run/bondlab/modules ||
			fail "cannot mount the kernel's modules over 9p"
	fi
	[ -n "$BONDLAB_SHARE" ] && [ -n "$BONDLAB_JOB" ] || fail "BONDLAB_SHARE or BONDLAB_JOB is not set"
	# The share may be under /run, which the guest has just covered: make its mount point.
	$bb mkdir -p "/newroot$BONDLAB_SHARE"
	$bb mount -t 9p -o "$opts,cache=mmap" bondlab-share "/newroot$BONDLAB_SHARE" ||
		fail "cannot mount $BONDLAB_SHARE"
	# Module autoload: the kernel runs this wrapper, which points the host's modprobe at the guest
	# kernel's modules; the configuration (/etc/modprobe.d, /lib/modprobe.d) stays the host's.
	if [ -n "$BONDLAB_MODULES" ]; then
		printf '#!/bin/sh\nexec modprobe -d %s "$@"\n' "$BONDLAB_MODULES" >/newroot/run/bondlab/modprobe
		$bb chmod 755 /newroot/run/bondlab/modprobe
		echo /run/bondlab/modprobe >/proc/sys/kernel/modprobe
	fi
	# The second run uses busybox from the tmpfs: no program of the host's is loaded before node.
	$bb cp /init /bin/busybox /newroot/run/bondlab/
	trace switch_root
	$bb umount /dev /proc
	exec $bb switch_root /newroot /run/bondlab/busybox sh /run/bondlab/init run
fi

trace node
TMPDIR=/run/tmp
export TMPDIR
cd / || fail "no /"
"$BONDLAB_NODE" "$BONDLAB_ENTRY" "$BONDLAB_JOB"
power_off $?
