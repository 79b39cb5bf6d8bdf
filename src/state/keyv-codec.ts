/**
 * Keyv's stored text format (@keyv/serialize): JSON in which a string value starting with ':' carries one more ':'
 * and a Buffer is ':base64:…'. Keyv's own serializer walks values in JavaScript and its parser runs a reviver on
 * every string; these produce and read the same text through the native JSON functions, so state written by
 * either reads back with either.
 */
const escapeColon = (_key: string, value: unknown): unknown =>
  typeof value === 'string' && value.startsWith(':') ? `:${value}` : value;

/**
 * A string value that starts with ':' opens the text or follows '[', ',' or ':' (JSON.stringify writes no
 * whitespace); without one a plain parse is exact. Anchoring on the one-character class first keeps the scan of a
 * backfill's megabytes of state at a fraction of the cost of the parse itself.
 */
const ESCAPED_STRING_INSIDE = /[[,:]":/;
const mayHoldEscapedString = (text: string): boolean => text.startsWith('":') || ESCAPED_STRING_INSIDE.test(text);

/**
 * A replacer makes JSON.stringify call back into JavaScript for every value; most values hold no string starting
 * with ':', so the plain text is tried first and the replacer runs only when the text shows such a string may be in it.
 */
export function encodeKeyv(data: unknown): string {
  const plain = JSON.stringify(data) ?? 'null';
  return mayHoldEscapedString(plain) ? JSON.stringify(data, escapeColon) ?? 'null' : plain;
}

export function decodeKeyv<T>(text: string): T {
  if (!mayHoldEscapedString(text)) return JSON.parse(text) as T;
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== 'string' || !value.startsWith(':')) return value;
    return value.startsWith(':base64:') ? Buffer.from(value.slice(8), 'base64') : value.slice(1);
  }) as T;
}
