import { redactText } from '../observability/logger';

/**
 * Per-component health behind /readyz. Every configured component (each source, the destination, the state store)
 * is expected: the daemon is ready only once each has succeeded at least once and none has failed since. Other
 * modules may add a named detail (a warning such as an implausible share of held customers) shown to authenticated
 * callers.
 */
interface ComponentState {
  ok: boolean | null;
  lastSuccessAt: string | null;
  lastError: string | null;
}

export interface HealthView {
  readonly ready: boolean;
  readonly components: Record<string, { readonly ok: boolean | null; readonly lastSuccessAt: string | null; readonly lastError?: string | null }>;
  readonly details?: Record<string, string>;
}

export class Health {
  private readonly components = new Map<string, ComponentState>();
  private readonly details = new Map<string, string>();

  /** Components that must each succeed once before the daemon is ready. */
  expect(components: readonly string[]): void {
    for (const component of components) if (!this.components.has(component)) this.components.set(component, { ok: null, lastSuccessAt: null, lastError: null });
  }

  succeeded(component: string, at: Date): void {
    this.components.set(component, { ok: true, lastSuccessAt: at.toISOString(), lastError: null });
  }

  failed(component: string, error: Error): void {
    const previous = this.components.get(component);
    this.components.set(component, { ok: false, lastSuccessAt: previous?.lastSuccessAt ?? null, lastError: redactText(error.message.split('\n')[0]) });
  }

  /** Adds (or with null, removes) a named detail, e.g. a warning naming a rule; it does not change readiness. */
  setDetail(name: string, text: string | null): void {
    if (text === null) this.details.delete(name);
    else this.details.set(name, redactText(text));
  }

  detail(name: string): string | null {
    return this.details.get(name) ?? null;
  }

  isFailing(component: string): boolean {
    return this.components.get(component)?.ok === false;
  }

  ready(): boolean {
    return this.components.size > 0 && [...this.components.values()].every((state) => state.ok === true);
  }

  /** What /readyz shows: error text and details only to an authenticated caller (they can name hosts and accounts). */
  view(authenticated: boolean): HealthView {
    const components = Object.fromEntries([...this.components].map(([name, state]) => [
      name,
      authenticated ? { ...state } : { ok: state.ok, lastSuccessAt: state.lastSuccessAt },
    ]));
    return authenticated ? { ready: this.ready(), components, details: Object.fromEntries(this.details) } : { ready: this.ready(), components };
  }

  snapshot(): Record<string, ComponentState> {
    return Object.fromEntries(this.components);
  }
}
