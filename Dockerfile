# bondlab in a container: the harness, the tools it drives and User-mode Linux, on Debian 12.
#
#   docker build -t bondlab .
#   docker run --rm --privileged --tmpfs /tmp:exec,size=1g -v "$PWD/results:/work/results" \
#     bondlab run seed-failover
#
# docs/containers.md explains --privileged, the host-kernel rule, the UML fallback and where
# results go. docker/check-build.ts replays this file's steps in a Debian chroot (no Docker engine
# runs on this project's machines): it reads FROM, RUN (shell form), COPY, WORKDIR, ENV (k=v),
# VOLUME, ENTRYPOINT and CMD (exec form) and fails on anything else, so keep to those.

# Node 20's last release (20.20.2; Node 20 reached end of life on 2026-04-30) on Debian 12 slim.
# Pinned by tag, not by digest: no image registry is reachable from this project's machines, so
# no digest could be read or checked here, and a digest copied from elsewhere would be unverified.
# The tag also picks up the image's rebuilds for Debian security fixes. For a reproducible build,
# append the digest you pulled: node:20.20.2-bookworm-slim@sha256:...
FROM node:20.20.2-bookworm-slim AS base

# --- build: compile the TypeScript and the C probe agent, then drop the dev dependencies --------
FROM base AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# The dependencies alone first, so that a source change reuses this layer. --ignore-scripts skips
# our prepare script (the build, which needs the sources copied below) and esbuild's postinstall
# (a dev dependency of tsx, unused here); no runtime dependency has an install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY harness ./harness
COPY scenarios ./scenarios
# The image holds what `npm pack` publishes (package.json "files": bin, dist, scenarios, the
# guest scripts; vagrant/ is left out, a VM cannot start from inside a container), not the
# TypeScript sources, so the harness's "build older than its source" check never depends on how
# COPY kept file times; the runtime dependencies go beside it. npm pack runs the prepare script,
# which is the build (tsc and the C probe agent), even with --ignore-scripts (npm 10.8.2; the
# chroot check saw it), so it goes first, while the dev dependencies are still there.
RUN npm pack --pack-destination /tmp \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && mkdir -p /opt/bondlab \
 && tar -xzf /tmp/bondlab-*.tgz -C /opt/bondlab --strip-components=1 --no-same-owner \
 && mv node_modules /opt/bondlab/ \
 && test -x /opt/bondlab/dist/harness/measure/probe-agent \
 && test -x /opt/bondlab/harness/kernels/uml/init.sh

# --- the image: no compiler, the programs bondlab drives, and the package -----------------------
FROM base
# iproute2 (ip, tc, bridge), iperf3, ping, kmod (modprobe, on the host kernel and inside UML),
# util-linux (unshare ties each guest to bondlab; chrt), user-mode-linux (the guest kernel when
# the host kernel has no bonding), tini (PID 1: forwards docker stop's SIGTERM, reaps orphans).
# Not QEMU: --kernel qemu downloads Debian kernels with apt-get at run time and adds ~500 MB;
# a derived image can add qemu-system-x86, busybox-static and xz-utils for it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      iproute2 iperf3 iputils-ping kmod util-linux user-mode-linux tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/bondlab /opt/bondlab
RUN ln -s /opt/bondlab/bin/bondlab.js /usr/local/bin/bondlab
# Results: `bondlab run` writes to ./results, which from this work directory is the volume
# /work/results (mount a host folder there: -v "$PWD/results:/work/results"). Not the package's
# own folder: bondlab keeps files of its own under /opt/bondlab, and a volume there would hide them.
WORKDIR /work
VOLUME /work/results
ENTRYPOINT ["tini", "--", "bondlab"]
CMD ["doctor"]
