#!/bin/sh
# Init of a QEMU guest (see qemu/command-line.ts). It runs twice:
# - as /init of the initramfs (busybox): loads the virtio and 9p modules listed in
#   /etc/bondlab-modules, mounts the host's root read-only over 9p, the guest's own /proc, /sys,
#   /dev, /run and /tmp, the share folder (writable) at its host path and the kernel's modules,
#   then switches root to the host's tree and runs itself again from /run/bondlab;
# - as `init.sh run`, with the host's /bin/sh: makes module autoload work and runs the guest
#   entry, whose exit status it hands to QEMU through the isa-debug-exit port.
# The kernel command line hands over environment words: BONDLAB_SHARE (the share folder),
# BONDLAB_JOB (the job file in it), BONDLAB_NODE and BONDLAB_ENTRY (the guest entry), and
# BONDLAB_MODULES=1 when the modules are exported. Nothing is interpolated into this file: it is
# the same for every run.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# QEMU exits with status 2N+1 when N is written to port 0xf4 (-device isa-debug-exit).
power_off() {
	sync
	printf "\\$(printf %o "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	echo "bondlab-init: the isa-debug-exit port did not stop QEMU" >&2
	echo o >/proc/sysrq-trigger
	while :; do sleep 3600; done
}

# Status 125: the guest itself could not start the job; the console (kept by the host) says why.
fail() {
	echo "bondlab-init: $*" >&2
	power_off 125
}

if [ "$1" != run ]; then
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mount -t devtmpfs devtmpfs /dev
	while read -r module; do
		insmod "/lib/modules/$module" || fail "cannot load $module"
	done </etc/bondlab-modules
	opts=trans=virtio,version=9p2000.L,msize=262144
	if ! mount -t 9p -o "$opts,cache=loose,ro" bondlab-root /newroot; then
		[ "$BONDLAB_MODULES" = 1 ] || fail "cannot mount the host's root over 9p: this kernel has" \
			"no CONFIG_VIRTIO_PCI, CONFIG_NET_9P_VIRTIO and CONFIG_9P_FS built in, and no modules were given"
		fail "cannot mount the host's root over 9p"
	fi
	mount -t proc -o nosuid,nodev,noexec proc /newroot/proc
	mount -t sysfs -o nosuid,nodev,noexec sysfs /newroot/sys
	mount --move /dev /newroot/dev
	mkdir -p /newroot/dev/shm /newroot/dev/pts
	mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /newroot/dev/shm
	mount -t devpts -o nosuid,noexec,mode=620,ptmxmode=666 devpts /newroot/dev/pts
	# ip netns needs a writable /run; TMPDIR is /tmp.
	mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /newroot/run
	mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /newroot/tmp
	mkdir -p /newroot/run/bondlab/modules
	if [ "$BONDLAB_MODULES" = 1 ]; then
		mount -t 9p -o "$opts,cache=loose,ro" bondlab-modules /newroot/run/bondlab/modules ||
			fail "cannot mount the kernel's modules over 9p"
	fi
	[ -n "$BONDLAB_SHARE" ] && [ -n "$BONDLAB_JOB" ] || fail "BONDLAB_SHARE or BONDLAB_JOB is not set"
	# The share may be under /tmp or /run, which the guest has just covered: make its mount point.
	mkdir -p "/newroot$BONDLAB_SHARE"
	mount -t 9p -o "$opts,cache=mmap" bondlab-share "/newroot$BONDLAB_SHARE" ||
		fail "cannot mount $BONDLAB_SHARE"
	cp /init /newroot/run/bondlab/init.sh
	umount /proc
	exec switch_root /newroot /bin/sh /run/bondlab/init.sh run
	fail "switch_root failed"
fi

# Module autoload: the kernel runs this wrapper, which points the host's modprobe at the guest
# kernel's modules; the configuration (/etc/modprobe.d, /lib/modprobe.d) stays the host's.
printf '#!/bin/sh\nexec modprobe -d /run/bondlab/modules "$@"\n' >/run/bondlab/modprobe
chmod 755 /run/bondlab/modprobe
echo /run/bondlab/modprobe >/proc/sys/kernel/modprobe

TMPDIR=/tmp
export TMPDIR
cd / || fail "no /"
"$BONDLAB_NODE" "$BONDLAB_ENTRY" "$BONDLAB_JOB"
power_off $?
