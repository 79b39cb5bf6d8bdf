/** A daemon log line as the sink's incident replay reads it. */
export interface LogLine { readonly message: string; readonly endpoint?: string; readonly kind?: string }

/**
 * Replays the sink's incident lines per endpoint as a state machine and lists every line that changed nothing. The
 * sink logs one line when an endpoint goes down, another when its failures change kind (an outage's 503s, then the
 * 429s of the drain that follows), and one when it comes back: so incident lines may outnumber recoveries, but every
 * endpoint that went down must come back and no line may repeat the state it found.
 */
export function replayIncidents(lines: ReadonlyArray<{ readonly message?: unknown; readonly endpoint?: unknown; readonly kind?: unknown }>): { incidents: number; recoveries: number; violations: string[]; open: string[] } {
  const open = new Map<string, string>();
  const violations: string[] = [];
  let incidents = 0;
  let recoveries = 0;
  lines.forEach((line, at) => {
    const endpoint = typeof line.endpoint === 'string' ? line.endpoint : '?';
    const kind = typeof line.kind === 'string' ? line.kind : '?';
    if (line.message === 'klaviyo incident') {
      incidents += 1;
      if (open.get(endpoint) === kind) violations.push(`line ${at}: ${endpoint} ${kind} already open`);
      open.set(endpoint, kind);
    } else if (line.message === 'klaviyo recovered') {
      recoveries += 1;
      if (!open.has(endpoint)) violations.push(`line ${at}: ${endpoint} recovered with no incident open`);
      open.delete(endpoint);
    }
  });
  return { incidents, recoveries, violations, open: [...open.keys()] };
}
