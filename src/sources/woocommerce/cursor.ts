import { advanceWatermark, alreadySeen, type Watermark } from '../watermark';

/**
 * The WooCommerce orders cursor: the shared high-water mark of `date_modified_gmt` with its overlap and seen set
 * (src/sources/watermark.ts), plus the pure steps of one read. WooCommerce pages by number (`page`), and an order
 * modified during the read moves to the end of an `orderby=modified` list, which shifts every later order one
 * place forward: page-number paging would then skip one. So each page re-starts the query from the newest change
 * read so far (keyset paging on `modified_after`), and page numbers are used only while a whole page shares one
 * second, where the mark cannot move.
 */
export type WooOrdersCursor = Watermark;

export { alreadySeen, advanceWatermark as advanceCursor };

/** WooCommerce's GMT date format: whole seconds, no zone designator (with `dates_are_gmt=true` it is read as UTC). */
export function wooGmt(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}

/** Where one request of a read starts: `modified_after` (strictly after; null: the whole history) and the page. */
export interface ReadPosition {
  readonly modifiedAfter: string | null;
  readonly page: number;
}

export function firstPosition(cursor: WooOrdersCursor | null, overlapMs: number): ReadPosition {
  return { modifiedAfter: cursor ? wooGmt(Date.parse(cursor.updatedAt) - overlapMs) : null, page: 1 };
}

/**
 * The request after a page, or null when the read is done. `newestMs` is the newest `date_modified_gmt` on the
 * page; the next query starts one second before it because `modified_after` is strict and dates have whole
 * seconds, so orders sharing that second are re-read (and skipped by the seen set), never missed. When the mark
 * cannot move (a page within one second, or of unreadable dates) the next page number is asked for instead.
 */
export function nextPosition(position: ReadPosition, newestMs: number | null, totalPages: number): ReadPosition | null {
  if (position.page >= totalPages) return null;
  const from = newestMs === null ? null : wooGmt(newestMs - 1000);
  if (from !== null && (position.modifiedAfter === null || from > position.modifiedAfter)) return { modifiedAfter: from, page: 1 };
  return { modifiedAfter: position.modifiedAfter, page: position.page + 1 };
}
