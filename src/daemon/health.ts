/** Per-component health behind /readyz: a component is ready until its latest attempt failed. */
export type Component = 'shopify' | 'klaviyo' | 'easypost' | 'state';

interface ComponentState {
  ok: boolean;
  lastSuccessAt: string | null;
  lastError: string | null;
}

/** Something an operator should look at that does not make the daemon unready, e.g. the held-customer share. */
export type Warning = 'holds';

export class Health {
  private readonly components = new Map<Component, ComponentState>();
  private readonly warningTexts = new Map<Warning, string>();

  /** Sets (or, with null, clears) a warning shown in /readyz. */
  warn(warning: Warning, message: string | null): void {
    if (message === null) this.warningTexts.delete(warning);
    else this.warningTexts.set(warning, message);
  }

  warning(warning: Warning): string | null {
    return this.warningTexts.get(warning) ?? null;
  }

  warnings(): Record<string, string> {
    return Object.fromEntries(this.warningTexts);
  }

  succeeded(component: Component, at: Date): void {
    this.components.set(component, { ok: true, lastSuccessAt: at.toISOString(), lastError: null });
  }

  failed(component: Component, error: Error): void {
    const previous = this.components.get(component);
    this.components.set(component, { ok: false, lastSuccessAt: previous?.lastSuccessAt ?? null, lastError: error.message });
  }

  isFailing(component: Component): boolean {
    return this.components.get(component)?.ok === false;
  }

  ready(): boolean {
    return [...this.components.values()].every((state) => state.ok);
  }

  snapshot(): Record<string, ComponentState> {
    return Object.fromEntries(this.components);
  }
}
