/**
 * Simulated time that runs `speed` times faster than real time, starting now. `hold()` stops it while
 * the simulator itself is busy (waiting for moto to take a container's log lines), so a slow stand-in
 * never shows up as a slow caller.
 */
export class VirtualClock {
  private readonly realStart = Date.now();
  readonly simStart: number;
  /** Real milliseconds simulated time stood still. */
  private held = 0;
  private holds = 0;
  private heldSince = 0;

  constructor(
    readonly speed: number,
    simStart = Date.now(),
  ) {
    this.simStart = simStart;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.simAt(Date.now());
  }

  /** The simulated time at real time `realMs` (now, or later: stand-stills after it are not known yet). */
  simAt(realMs: number): number {
    const running = (this.holds ? Math.min(realMs, this.heldSince) : realMs) - this.held;
    return this.simStart + (running - this.realStart) * this.speed;
  }

  /** The real time at which simulated time `simMs` is (or was) reached, with the stand-stills so far. */
  realAt(simMs: number): number {
    return this.realStart + this.held + (simMs - this.simStart) / this.speed;
  }

  /** Stops simulated time until every hold is released. */
  hold(): void {
    if (this.holds++ === 0) this.heldSince = Date.now();
  }

  release(): void {
    if (this.holds === 0) return;
    if (--this.holds === 0) this.held += Date.now() - this.heldSince;
  }
}
