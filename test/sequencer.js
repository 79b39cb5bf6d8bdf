/**
 * Starts the suites known to take longest first. Jest orders by its timing cache when it has one and by file size
 * otherwise, and CI always starts from a fresh checkout: the crash test, started last, once held the suite a minute
 * past its budget while the other worker sat idle. Known durations (s, `CI=true npm test` on 2 cores) lead; every
 * other suite follows in Jest's own order. Wall time is then close to the suites' summed time over the workers.
 */
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST_FIRST = [
  'reliability/crash-consistency', // ~140
  'reliability/long-outage', // ~115
  'reliability/run-beside-sync', // ~77
  'reliability/fault-mix', // ~76
  'fleet/redis-restart', // ~68
  'e2e/status-demo', // ~50
  'fleet/kill-workers', // ~47
  'e2e/orders-to-klaviyo', // ~42
  'fleet/exclusion', // ~39
];

class SlowestFirst extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const at = SLOWEST_FIRST.findIndex((name) => test.path.replace(/\\/g, '/').includes(`/test/${name}.test.ts`));
      return at < 0 ? SLOWEST_FIRST.length : at;
    };
    const ordered = super.sort(tests);
    return ordered.map((test, i) => ({ test, i })).sort((a, b) => rank(a.test) - rank(b.test) || a.i - b.i).map(({ test }) => test);
  }
}

module.exports = SlowestFirst;
