#!/bin/sh
# Inside the VM, as root: `npm ci` in the guest's copy of the project (first argument) when its
# package.json or package-lock.json changed since the last install, else nothing. The stamp lives
# in node_modules, so it goes away with what it describes. `npm ci` runs the project's `prepare`
# (the build) too.
set -eu
root=${1:?usage: ensure-deps.sh GUEST_ROOT}
cd "$root"
stamp=node_modules/.bondlab-deps.sha256
sum=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -d node_modules ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
  exit 0
fi
echo "bondlab: npm ci in $root (package.json or package-lock.json changed)"
npm ci --no-audit --no-fund </dev/null
echo "$sum" >"$stamp"
