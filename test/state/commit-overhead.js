// Measures the cost of a sync page's state write on SQLite: `node test/state/commit-overhead.js [repo root]`.
// Transpiles that checkout's src/state (each file alone, as the project's isolatedModules allows), then times
// 1,000 pages of 250 customer entries: (a) plain setMany, (b) the page's whole write: 300 outbox records in two
// lanes plus the 250 entries (a commit where the store has one, else Outbox.append then setMany as before).
const { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const ts = require('typescript');

const root = resolve(process.argv[2] ?? join(__dirname, '../..'));
const out = mkdtempSync(join(tmpdir(), 'commit-overhead-'));
mkdirSync(join(out, 'state'));
for (const file of readdirSync(join(root, 'src/state')).filter((f) => f.endsWith('.ts'))) {
  const { outputText } = ts.transpileModule(readFileSync(join(root, 'src/state', file), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  writeFileSync(join(out, 'state', file.replace(/\.ts$/, '.js')), outputText);
}
const { openStateStore } = require(join(out, 'state/store.js'));
const { Outbox } = require(join(out, 'state/outbox.js'));

const PAGES = 1000;
const customer = (p, i) => ({ key: `c${p}-${i}@example.com`, email: `c${p}-${i}@example.com`, phone: null, firstName: 'Ana', lastName: 'Souza', currency: 'BRL',
  orders: [{ orderId: `gid://shopify/Order/${p * 1000 + i}`, placedAt: '2024-01-01T00:00:00.000Z', netMinor: 12345, cancelled: false }],
  segment: 'first_time', segmentSince: '2024-01-01T00:00:00.000Z', pushedHash: 'abcdef0123456789', nextReviewAt: '2024-03-01T00:00:00.000Z' });
const identity = (p, i) => ({ email: `c${p}-${i}@example.com`, phoneNumber: null, externalId: null });
const records = (p) => [
  ...Array.from({ length: 250 }, (_, i) => ({ kind: 'profile', identity: identity(p, i), firstName: 'Ana', lastName: null, properties: { ss_segment: 'first_time', ss_orders_count: 1, ss_total_spent: 123.45 } })),
  ...Array.from({ length: 50 }, (_, i) => ({ kind: 'event', metric: 'Lifecycle Segment Changed', identity: identity(p, i), time: new Date(0), uniqueId: `seg-${p}-${i}`, value: null, valueCurrency: null, properties: { Segment: 'repeat' }, backfill: false })),
];
const entries = (p) => [...Array.from({ length: 250 }, (_, i) => [`customer:c${p}-${i}@example.com`, customer(p, i)]), ['cursor:shopify:orders', { updatedAt: `2024-01-01T00:00:${p}Z` }]];

(async () => {
  for (const scenario of ['setMany', 'page']) {
    const dir = mkdtempSync(join(tmpdir(), 'commit-overhead-db-'));
    const store = await openStateStore(`sqlite://${join(dir, 'state.sqlite')}`, 'bench');
    const outbox = new Outbox(store);
    const pages = Array.from({ length: PAGES }, (_, p) => ({ records: records(p), entries: entries(p) }));
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (const page of pages) {
      if (scenario === 'setMany') await store.setMany(page.entries);
      else if (typeof store.commit === 'function') await store.commit({ appends: outbox.appendsFor(page.records), entries: page.entries });
      else { await outbox.append(page.records); await store.setMany(page.entries); }
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const used = process.cpuUsage(cpu);
    // CPU time (this process, SQLite's worker threads included) is steadier than wall time on a shared machine.
    const cpuMs = (used.user + used.system) / 1000;
    console.log(`${scenario}: ${PAGES} pages, wall ${ms.toFixed(0)} ms (${(ms / PAGES).toFixed(2)} ms/page), cpu ${cpuMs.toFixed(0)} ms (${(cpuMs / PAGES).toFixed(2)} ms/page)`);
    await store.close();
  }
})();
