#!/bin/sh
# Runs linux.uml ("$@") for bondlab, as the first process of the guest's own PID namespace
# (unshare --pid --fork, see uml/command-line.ts), so that when this script ends, however it
# ends, the kernel kills every process left in the namespace: UML's helpers, and any guest
# process UML was just starting.
#
# Standard input is the lifeline: a pipe whose other end only bondlab holds, and never writes.
# End of file on it means bondlab is stopping the guest or has died, even by SIGKILL, when the
# kernel closes its end: linux.uml then gets SIGTERM, which it answers by stopping its processes
# and removing its umid folder, and SIGKILL if it is still there 2 s later.

# A panicking UML aborts: no core file of guest memory left behind.
ulimit -c 0
exec 3<&0
"$@" </dev/null 3<&- &
uml=$!
{
	read -r _
	kill -TERM "$uml" 2>/dev/null
	sleep 2
	kill -KILL "$uml" 2>/dev/null
} <&3 &
exec 3<&-
wait "$uml"
