#!/bin/sh
# Provisioning step 2 of 3, as root: the project's npm dependencies and build, in the guest's own
# copy of the project (rsynced to GUEST_ROOT, first argument). Idempotent: see ensure-deps.sh.
set -eu
root=${1:?usage: project.sh GUEST_ROOT}
sh "$root/vagrant/guest/ensure-deps.sh" "$root"
