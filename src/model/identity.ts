/** Emails are customer keys: one person, one key, whatever the casing or stray spaces at the source. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const email = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null;
}

/**
 * Klaviyo accepts phone numbers in E.164 only (a 400 otherwise). We keep numbers that already are E.164
 * after removing formatting, and drop the rest rather than guess a country.
 */
export function normalizePhone(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const compact = raw.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : null;
}
