/**
 * Whether a process with this id runs on this machine (signal 0 probes without signalling). EPERM means it
 * exists under another user. Used to tell a claim or a lock left by a dead process from a live one.
 */
export function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
