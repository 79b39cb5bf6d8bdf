/**
 * Private API keys and their scopes. Klaviyo grants each key, per resource, no access, read access or full access
 * (`profiles:read` / `profiles:write`); full access includes reading. A request whose key lacks one of its
 * operation's `x-klaviyo-scopes` is refused with 403 before it is counted against the rate limits.
 */
export const FULL_ACCESS = [
  'accounts:read', 'events:read', 'events:write', 'lists:read', 'lists:write', 'profiles:read', 'profiles:write',
  'flows:write', 'segments:write', 'templates:write', 'tags:write', 'metrics:read',
] as const;

export type KeyScopes = ReadonlyMap<string, ReadonlySet<string>>;

/** The scopes a key holds, with every `x:write` also granting `x:read`. */
export function grantedScopes(scopes: readonly string[]): ReadonlySet<string> {
  const granted = new Set<string>();
  for (const scope of scopes) {
    const match = /^([a-z-]+):(read|write)$/.exec(scope);
    if (!match) throw new RangeError(`invalid scope '${scope}' (expected resource:read or resource:write)`);
    granted.add(scope);
    if (match[2] === 'write') granted.add(`${match[1]}:read`);
  }
  return granted;
}

/** Scopes the operation needs that the key does not have. */
export const missingScopes = (granted: ReadonlySet<string>, needed: readonly string[]): string[] =>
  needed.filter((scope) => !granted.has(scope));
