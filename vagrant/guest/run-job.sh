#!/bin/sh
# Inside the VM, as root (the harness calls it through `vagrant ssh -- sudo -n sh run-job.sh ...`):
# runs one bondlab job and exits with its status.
#
#   run-job.sh GUEST_ROOT CWD -- COMMAND [ARG]...
#
# - First brings the guest's node_modules up to date (ensure-deps.sh).
# - Then prints one line "@@bondlab-vagrant ready kernel=<uname -r>" on stdout: the host takes
#   the time and the kernel release from it. Every other line is the job's.
# - The job runs in a session of its own, so it can be stopped whole.
# - Standard input is the host's lifeline. The host never writes to it; it closes it to stop the
#   job, and it closes by itself when the harness dies or `vagrant ssh` is killed (sshd closes the
#   channel). On EOF the job's process group gets SIGTERM (the job tears down its namespaces),
#   and SIGKILL after BONDLAB_STOP_GRACE seconds (default 15). SIGTERM, SIGINT or SIGHUP sent to
#   this script are passed on to the job the same way.
set -eu
if [ $# -lt 4 ] || [ "$3" != -- ]; then
  echo "usage: run-job.sh GUEST_ROOT CWD -- COMMAND [ARG]..." >&2
  exit 125
fi
root=$1
cwd=$2
shift 3
grace=${BONDLAB_STOP_GRACE:-15}
here=$(dirname "$0")
# A background list's stdin is /dev/null in a shell without job control: keep the lifeline on fd 3.
exec 3<&0 </dev/null

sh "$here/ensure-deps.sh" "$root"
cd "$cwd"
printf '@@bondlab-vagrant ready kernel=%s\n' "$(uname -r)"

setsid "$@" </dev/null &
job=$!

stop_job() {
  # Right after the start the job may not have called setsid() yet: its group is not there.
  n=0
  until kill -s TERM -- "-$job" 2>/dev/null; do
    kill -0 "$job" 2>/dev/null && [ "$n" -lt 20 ] || return 0
    n=$((n + 1))
    sleep 0.05
  done
  # SIGKILL after the grace time unless the group is gone first (checked often, so a group id
  # that the kernel hands out again is not hit by mistake).
  (
    n=$((grace * 10))
    while [ "$n" -gt 0 ] && kill -s 0 -- "-$job" 2>/dev/null; do
      sleep 0.1
      n=$((n - 1))
    done
    [ "$n" -gt 0 ] || kill -s KILL -- "-$job" 2>/dev/null
  ) >/dev/null 2>&1 </dev/null &
}
trap stop_job TERM INT HUP

# The lifeline watcher: its output goes nowhere, so it never holds the ssh channel open.
(
  while IFS= read -r _; do :; done <&3
  stop_job
) >/dev/null 2>&1 &
watcher=$!
exec 3<&-

# A trapped signal interrupts `wait`; wait again until the job itself has ended.
while :; do
  status=0
  wait "$job" || status=$?
  kill -0 "$job" 2>/dev/null || break
done
kill "$watcher" 2>/dev/null || true
exit "$status"
