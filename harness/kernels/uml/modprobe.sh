#!/bin/sh
# The guest kernel's module loader (/proc/sys/kernel/modprobe): the UML modules are bind-mounted
# at /run/uml/lib/modules by init.sh; the configuration (/etc/modprobe.d) stays the host's.
exec modprobe -d /run/uml "$@"
