// Counters the server increments as things happen (joins, worker deaths), read at scrape time.
// Plain numbers in maps: an increment on the join path costs next to nothing.

export class OpsCounters {
  joins = 0
  readonly joinFailures = new Map<string, number>()
  workerDeaths = 0

  workerDied(): void {
    this.workerDeaths++
  }

  /** joined counts a successful signaling join. */
  joined(): void {
    this.joins++
  }

  /** joinFailed counts a refused or failed join under its error code (a closed set, never user text). */
  joinFailed(code: string): void {
    this.joinFailures.set(code, (this.joinFailures.get(code) ?? 0) + 1)
  }
}
