/**
 * Machine-wide CPU accounting for bench:fleet (Linux /proc): whether the machine's cores were saturated during a
 * run, and by whom. Workers, the sandbox child, Redis and PostgreSQL all run on the same cores, so a worker count
 * that does not go faster is CPU-bound only if these (or other load) filled the cores.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the bench runs on

/** user + system CPU seconds of a live process; null once it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The whole machine's busy and total CPU seconds since boot (every core), from /proc/stat's first line. */
export function machineSeconds(stat: string): { busy: number; total: number } {
  const fields = stat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already counted in user and nice)
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = fields[3] + (fields[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

function pidsNamed(names: ReadonlySet<string>): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.has(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return pids;
}

export interface CpuTotals {
  readonly redis: number;
  readonly postgres: number;
  /** Every core's busy time over the run, whoever used it (other sessions on a shared machine included). */
  readonly machineBusy: number;
  readonly machineTotal: number;
  readonly cores: number;
}

/**
 * Redis's and PostgreSQL's CPU over a run: every process by that name (PostgreSQL forks a backend per connection),
 * sampled while the run goes so a backend that exits is counted up to its last sample; each counted from its value
 * at the start, or from zero if it started later.
 */
export class ServerCpu {
  private readonly baseline = new Map<number, number>();
  private readonly last = new Map<number, { name: 'redis' | 'postgres'; seconds: number }>();
  private readonly machineStart = machineSeconds(readFileSync('/proc/stat', 'utf8'));

  constructor() {
    for (const [pid, name] of this.servers()) {
      this.baseline.set(pid, processCpuSeconds(pid) ?? 0);
      this.last.set(pid, { name, seconds: 0 });
    }
  }

  private servers(): Array<[number, 'redis' | 'postgres']> {
    return [
      ...pidsNamed(new Set(['redis-server'])).map((pid): [number, 'redis'] => [pid, 'redis']),
      ...pidsNamed(new Set(['postgres', 'postmaster'])).map((pid): [number, 'postgres'] => [pid, 'postgres']),
    ];
  }

  sample(): void {
    for (const [pid, name] of this.servers()) {
      const seconds = processCpuSeconds(pid);
      if (seconds !== null) this.last.set(pid, { name, seconds: seconds - (this.baseline.get(pid) ?? 0) });
    }
  }

  totals(): CpuTotals {
    this.sample();
    const machine = machineSeconds(readFileSync('/proc/stat', 'utf8'));
    let redis = 0;
    let postgres = 0;
    for (const { name, seconds } of this.last.values()) {
      if (name === 'redis') redis += seconds;
      else postgres += seconds;
    }
    return { redis, postgres, machineBusy: machine.busy - this.machineStart.busy, machineTotal: machine.total - this.machineStart.total, cores: cpus().length };
  }
}
