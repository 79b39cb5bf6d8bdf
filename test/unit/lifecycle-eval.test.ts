import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lifecycleConfigSchema } from '../../src/enrichment/lifecycle/config';
import { emailFor, readInvoices } from '../../src/eval/online-retail';
import { precisionRecall, rocAuc } from '../../src/eval/segments-metrics';
import { replaySegments } from '../../src/eval/segments-replay';

describe('segments eval', () => {
  it('reads invoices as UK-local orders, cancellations flagged, guest invoices skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segments-'));
    const file = join(dir, 'invoices.csv');
    writeFileSync(file, [
      'InvoiceNo,InvoiceDate,CustomerID,Country,Quantity,UnitPrice',
      '536365,12/1/2010 8:26,17850,United Kingdom,40,3.91',
      '550000,4/15/2011 9:05,17850,United Kingdom,10,2.5',
      'C550001,4/16/2011 10:00,17850,United Kingdom,-2,2.5',
      '550002,4/16/2011 11:00,(blank),United Kingdom,3,1',
    ].join('\n'));
    const { orders, skippedWithoutCustomer } = await readInvoices(file);
    expect(skippedWithoutCustomer).toBe(1);
    expect(orders.map((o) => [o.id, o.createdAt.toISOString(), o.currentTotal.minor, o.cancelledAt !== null])).toEqual([
      ['536365', '2010-12-01T08:26:00.000Z', 15640, false],
      // British Summer Time: 09:05 in London is 08:05 UTC.
      ['550000', '2011-04-15T08:05:00.000Z', 2500, false],
      ['C550001', '2011-04-16T09:00:00.000Z', 0, true],
    ]);
    expect(orders[0].email).toBe(emailFor('17850'));

    const checkpoint = new Date('2011-04-01T00:00:00Z');
    const result = await replaySegments(orders, [checkpoint], lifecycleConfigSchema.parse({}));
    expect(result.observations).toHaveLength(1);
    expect(result.observations[0]).toMatchObject({ churned: false, nextPurchaseAt: Date.parse('2011-04-15T08:05:00Z') });
    // Bought once, 121 days before the checkpoint: at risk by then, and the eval saw it through reviews.
    expect(result.observations[0].assessment.segment).toBe('at_risk');
    expect(result.changes.some((c) => c.cause === 'time' && c.to === 'at_risk')).toBe(true);
  });

  it('computes AUC with tied scores as half-credit, and precision/recall of a flag', () => {
    expect(rocAuc([0.9, 0.8, 0.1], [true, true, false])).toBe(1);
    expect(rocAuc([0.5, 0.5], [true, false])).toBe(0.5);
    expect(precisionRecall([true, true, false, false], [true, false, true, false])).toEqual({ precision: 0.5, recall: 0.5, flagged: 2 });
  });
});
