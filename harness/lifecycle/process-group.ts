/**
 * Signals a whole process group (SIGKILL unless told otherwise) if it still exists; true when a
 * signal was delivered, false when there is no such group any more.
 */
export function killProcessGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
