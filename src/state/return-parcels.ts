import { returnOrderKey, returnParcelKey } from './keys';
import type { StateStore } from './port';

/** A return parcel as shipsignal files it: direction `return` is ours, never inferred from the carrier. */
export interface ReturnParcelEntry {
  readonly direction: 'return';
  readonly email: string;
  readonly orderId: string;
  readonly returnId: string;
  readonly trackerId: string | null;
}

export const returnParcelEntry = (code: string, entry: ReturnParcelEntry): readonly [string, ReturnParcelEntry] => [returnParcelKey(code), entry];

/** The return parcels among these tracking codes, by code. */
export async function returnParcels(store: StateStore, codes: readonly string[]): Promise<Map<string, ReturnParcelEntry>> {
  const unique = [...new Set(codes)];
  const found = await store.getMany<ReturnParcelEntry>(unique.map(returnParcelKey));
  const out = new Map<string, ReturnParcelEntry>();
  unique.forEach((code, i) => {
    const entry = found[i];
    if (entry !== undefined) out.set(code, entry);
  });
  return out;
}

/** An order whose returns or refunds shipsignal holds, filed under its id (see keys.ts `returnOrderKey`). */
export const returnOrderEntry = (orderId: string, email: string): readonly [string, { readonly email: string }] => [returnOrderKey(orderId), { email }];

/** The order ids among these that shipsignal holds returns or refunds for. */
export async function knownReturnOrders(store: StateStore, orderIds: readonly string[]): Promise<Set<string>> {
  const found = await store.getMany<{ email: string }>(orderIds.map(returnOrderKey));
  return new Set(orderIds.filter((_, i) => found[i] !== undefined));
}
