/** Opaque page cursors, shaped like Shopify's (base64 of `{"last_id":…,"last_value":…}`). */
export interface CursorPosition {
  readonly lastId: number;
  readonly lastValue: number;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ last_id: position.lastId, last_value: position.lastValue })).toString('base64');
}

export function decodeCursor(cursor: string): CursorPosition | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { last_id: lastId, last_value: lastValue } = parsed as Record<string, unknown>;
    return typeof lastId === 'number' && typeof lastValue === 'number' ? { lastId, lastValue } : null;
  } catch {
    return null;
  }
}
