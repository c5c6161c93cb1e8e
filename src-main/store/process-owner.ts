import { hostname } from 'node:os'

/** This process as a writer names itself in the project file: "host:pid". */
export const THIS_PROCESS = `${hostname()}:${process.pid}`

/**
 * Whether the process named "host:pid" still runs. For another machine (a project on a shared
 * drive) it cannot be known, and is taken as alive: its heartbeat decides instead.
 */
export function processAlive(owner: string | null): boolean {
  if (!owner) return true
  const at = owner.lastIndexOf(':')
  if (owner.slice(0, at) !== hostname()) return true
  const pid = Number(owner.slice(at + 1))
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
