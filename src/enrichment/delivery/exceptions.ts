import type { ShipmentStatus, TrackingScan } from '../../model/shipment';
import type { ExceptionKind } from './config';

/** EasyPost status_detail values that name a problem outright. */
const BY_DETAIL: Readonly<Record<string, ExceptionKind>> = {
  address_correction: 'address',
  weather_delay: 'weather',
  damaged: 'damaged',
  lost: 'lost',
  refused: 'refused',
  held: 'held',
  awaiting_information: 'held',
  delivery_exception: 'delivery_failed',
  failure: 'delivery_failed',
  return: 'returned',
};

/**
 * EasyPost has no customs detail and carriers put most specifics in free text, so the latest scan's message is
 * read too. Order matters: the first match wins.
 */
const BY_MESSAGE: ReadonlyArray<readonly [RegExp, ExceptionKind]> = [
  [/\bcustoms?\b|\bclearance\b|\bimport (duty|tax)/i, 'customs'],
  [/\b(return(ed|ing)? to (sender|shipper)|being returned)\b/i, 'returned'],
  [/\b(refused|rejected by (the )?(recipient|consignee))\b/i, 'refused'],
  [/\bdamaged?\b/i, 'damaged'],
  [/\b(lost|cannot be located)\b/i, 'lost'],
  [/\b(incorrect|insufficient|incomplete|bad|unknown|invalid) address|address (issue|problem|correction)|addressee unknown/i, 'address'],
  [/\bweather\b|\bnatural disaster\b|\bstorm\b|\bflood/i, 'weather'],
  [/\b(delivery attempt(ed)?|attempted delivery|no one (available|home)|business closed|unable to deliver)\b/i, 'delivery_failed'],
  [/\bheld\b|\bon hold\b/i, 'held'],
];

export interface ExceptionSignal {
  readonly status: ShipmentStatus;
  readonly statusDetail: string | null;
  readonly latestScan: TrackingScan | null;
}

/** The kind of carrier exception the parcel is in now, or null when it is moving normally. */
export function classifyException(signal: ExceptionSignal): ExceptionKind | null {
  if (signal.status === 'delivered' || signal.status === 'cancelled') return null;
  if (signal.status === 'return_to_sender') return 'returned';
  const detail = signal.statusDetail ?? signal.latestScan?.statusDetail ?? null;
  const byDetail = detail ? BY_DETAIL[detail] : undefined;
  if (byDetail) return byDetail;
  const message = signal.latestScan?.message ?? null;
  if (message) {
    for (const [pattern, kind] of BY_MESSAGE) if (pattern.test(message)) return kind;
  }
  return signal.status === 'failure' ? 'delivery_failed' : null;
}
