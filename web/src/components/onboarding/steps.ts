// The guided first run: which step is done, which is current, derived from
// what the organisation really has (connections, customers, EYES runs).

export type StepId = 'data' | 'sync' | 'eyes' | 'segments'
export type StepState = 'done' | 'current' | 'pending'

export interface Facts {
  connections: number
  /** True when the organisation has at least one customer. */
  hasCustomers: boolean
  /** A sync or an import is under way. */
  syncing: boolean
  /** Statuses of the EYES runs, newest first. */
  runs: readonly string[]
}

export interface Step {
  id: StepId
  state: StepState
}

const order: StepId[] = ['data', 'sync', 'eyes', 'segments']

export function deriveSteps(f: Facts): Step[] {
  const done: Record<StepId, boolean> = {
    data: f.connections > 0 || f.hasCustomers,
    sync: f.hasCustomers && !f.syncing,
    eyes: f.runs.includes('succeeded'),
    segments: f.runs.includes('succeeded'),
  }
  // Every step before the first open one must be done for it to count:
  // an EYES run over data since deleted does not skip the data step.
  let current: StepId | undefined
  return order.map((id) => {
    if (current === undefined && !done[id]) {
      current = id
      return { id, state: 'current' as const }
    }
    return { id, state: current === undefined ? ('done' as const) : ('pending' as const) }
  })
}

/** The run being watched: the newest if it has not finished. */
export function runInFlight(runs: readonly { status: string }[]): boolean {
  const s = runs[0]?.status
  return s === 'queued' || s === 'running'
}
