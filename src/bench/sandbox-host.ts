/**
 * The benchmark's sandbox process: a synthetic Shopify store and Klaviyo with its documented rate limits, driven
 * over IPC. Kept out of the measured process so that only shipsignal's own CPU and memory are measured.
 */
import { startLocalStack, type LocalStack } from '../sandbox/local-stack';
import { generateStore } from '../sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../sandbox/shopify/store';
import { ManualClock } from '../util/clock';
import { changeOrders } from './changes';
import type { HostCalls, HostMethod, HostReply, HostRequest } from './protocol';

interface Running {
  readonly stack: LocalStack;
  readonly store: SandboxStore;
  readonly clock: ManualClock;
}

let running: Running | null = null;

function current(): Running {
  if (!running) throw new Error('sandbox host: start first');
  return running;
}

type Handlers = { [M in HostMethod]: (params: HostCalls[M]['params']) => Promise<HostCalls[M]['result']> };

const handlers: Handlers = {
  start: async (spec) => {
    const clock = new ManualClock(new Date(spec.now));
    // The store's clock stamps mutations; Shopify's cost bucket and Klaviyo's rate windows keep real time.
    const store = generateStore({ orders: spec.orders, seed: spec.seed, repeatRate: spec.repeatRate, clock });
    // Klaviyo's bulk jobs take the sandbox's size-based default times, so the drain's tail and its job-status
    // requests are those of jobs that take seconds, not milliseconds.
    const stack = await startLocalStack({ store, klaviyoRateLimits: 'documented', klaviyoJobs: {} });
    running = { stack, store, clock };
    return { env: { ...stack.env } };
  },
  change: async ({ share, at, seed }) => {
    const { store, clock } = current();
    clock.set(new Date(at));
    return changeOrders(store, share, seed);
  },
  stats: async () => current().stack.klaviyo.stats(),
  profilesWrittenSince: async ({ mark }) => current().stack.klaviyo.profilesWrittenSince(mark),
  shopify: async () => {
    const requests = current().stack.shopify.requests();
    return { requests: requests.length, throttled: requests.filter((request) => request.outcome === 'throttled').length };
  },
  sample: async ({ limit }) => {
    const { klaviyo } = current().stack;
    return { events: klaviyo.events(limit), profiles: klaviyo.profiles(limit) };
  },
  usage: async () => {
    const used = process.cpuUsage();
    return { cpuSeconds: (used.user + used.system) / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  },
  resetKlaviyo: async () => {
    current().stack.klaviyo.reset();
    return null;
  },
  close: async () => {
    await running?.stack.close();
    running = null;
    setImmediate(() => process.disconnect?.());
    return null;
  },
};

function dispatch<M extends HostMethod>(request: HostRequest<M>): Promise<HostCalls[M]['result']> {
  return handlers[request.method](request.params);
}

process.on('message', (message: HostRequest) => {
  dispatch(message).then(
    (result) => process.send?.({ id: message.id, ok: true, result } satisfies HostReply),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies HostReply),
  );
});
