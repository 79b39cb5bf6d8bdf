import type { OrderReturnsRecord } from '../../model/returns';
import type { TrustConfig } from './config';

/**
 * Fragile trust: the customer's last experience went wrong (a delivery problem now, a damaged or lost parcel, a
 * defective item sent back), so flows should use a gentler tone and put resolution before revenue. Not churn risk:
 * a loyal customer can be here, and a lapsed one not. Pure; every reason is a sentence a marketer can read.
 */
export interface TrustParcel {
  readonly orderName: string;
  readonly status: string;
  readonly statusDetail: string | null;
  /** The last scan's time (or delivery): when the parcel's trouble happened. */
  readonly lastEventAt: string | null;
  /** The open, live delivery issue's plain-language text, if any. */
  readonly openIssue: string | null;
}

export interface TrustInput {
  readonly parcels: readonly TrustParcel[];
  readonly returns: readonly OrderReturnsRecord[];
}

export interface TrustAssessment {
  readonly atRisk: boolean;
  readonly reasons: readonly string[];
  /** When the newest reason leaves its window with nothing else changing (null: none will). */
  readonly changesAt: Date | null;
}

const DAY_MS = 86_400_000;
const TROUBLED_STATUSES: ReadonlySet<string> = new Set(['return_to_sender', 'failure']);
/** Dated, not "n days ago": a reason must read the same tomorrow, or the profile would be re-sent every day. */
const on = (at: number): string => `on ${new Date(at).toISOString().slice(0, 10)}`;

export function assessTrust(input: TrustInput, config: TrustConfig, now: Date): TrustAssessment {
  const reasons: string[] = [];
  const expiries: number[] = [];
  if (config.openDeliveryIssue.enabled) {
    for (const parcel of input.parcels) {
      if (parcel.openIssue) reasons.push(`delivery problem open on order ${parcel.orderName}: ${parcel.openIssue}`);
    }
  }
  const damaged = config.damagedOrLostParcel;
  if (damaged.enabled) {
    const details = new Set(damaged.statusDetails);
    for (const parcel of input.parcels) {
      if (!parcel.lastEventAt) continue;
      const detail = parcel.statusDetail !== null && details.has(parcel.statusDetail) ? parcel.statusDetail : null;
      if (!detail && !TROUBLED_STATUSES.has(parcel.status)) continue;
      const at = Date.parse(parcel.lastEventAt);
      const end = at + damaged.windowDays * DAY_MS;
      if (now.getTime() >= end) continue;
      const what = detail ?? (parcel.status === 'return_to_sender' ? 'returned to sender' : 'not delivered');
      reasons.push(`parcel for order ${parcel.orderName} ${what === 'damaged' || what === 'lost' ? `reported ${what}` : `was ${what}`} ${on(at)}`);
      expiries.push(end);
    }
  }
  const defect = config.defectReturn;
  if (defect.enabled) {
    const reasonsAllowed = new Set(defect.reasons);
    for (const record of input.returns) {
      for (const ret of record.returns) {
        const line = ret.lines.find((l) => reasonsAllowed.has(l.reason));
        if (!line) continue;
        const at = Date.parse(ret.requestedAt);
        const end = at + defect.windowDays * DAY_MS;
        if (now.getTime() >= end || at > now.getTime()) continue;
        const why = (line.reasonName ?? line.reason.replace(/[-_]/g, ' ')).toLowerCase();
        reasons.push(`returned ${line.name ?? 'an item'} from order ${record.orderName} as "${why}" ${on(at)}`);
        expiries.push(end);
      }
    }
  }
  const future = expiries.filter((t) => t > now.getTime());
  return { atRisk: reasons.length > 0, reasons, changesAt: future.length > 0 ? new Date(Math.min(...future)) : null };
}
