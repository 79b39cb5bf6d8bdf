/**
 * What the benchmark's peak RSS is made of. The JS heap's peak is sampled every 250 ms (cheap: V8's own counters);
 * with `--live-heap` a full garbage collection is forced every 10 s first, so the sample is what is still reachable.
 * Their gap is garbage that V8 had not yet collected: its old generation grows lazily while the pipeline allocates
 * fast, and RSS follows the heap, not what is live. Forced collections cost CPU, so they are opt-in and the table
 * says when they ran.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface HeapFigures {
  /** Highest JS heap in use at a sample (live and not yet collected), MB. */
  readonly peakUsedMb: number;
  /** Highest heap in use right after a forced full collection, MB; null when not probed. */
  readonly liveMaxMb: number | null;
  readonly liveSamples: number;
}

export function startHeapProbe(forceCollections: boolean): { stop(): HeapFigures } {
  let peakUsed = 0;
  let liveMax = 0;
  let liveSamples = 0;
  const used = () => getHeapStatistics().used_heap_size;
  const sampler = setInterval(() => { peakUsed = Math.max(peakUsed, used()); }, 250);
  sampler.unref();
  let collector: NodeJS.Timeout | null = null;
  if (forceCollections) {
    // `gc` is exposed to a fresh context only: the flag is read when a context is created.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    collector = setInterval(() => {
      gc();
      liveMax = Math.max(liveMax, used());
      liveSamples += 1;
    }, 10_000);
    collector.unref();
  }
  return {
    stop: () => {
      clearInterval(sampler);
      if (collector) clearInterval(collector);
      peakUsed = Math.max(peakUsed, used());
      return { peakUsedMb: peakUsed / 1e6, liveMaxMb: forceCollections ? liveMax / 1e6 : null, liveSamples };
    },
  };
}
