/** Simulated time that runs `speed` times faster than real time, starting now. */
export class VirtualClock {
  private readonly realStart = Date.now();
  readonly simStart: number;

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

  simAt(realMs: number): number {
    return this.simStart + (realMs - this.realStart) * this.speed;
  }

  realAt(simMs: number): number {
    return this.realStart + (simMs - this.simStart) / this.speed;
  }
}
