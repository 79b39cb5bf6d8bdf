/** Per-component health behind /readyz: a component is ready until its latest attempt failed. */
export type Component = 'shopify' | 'klaviyo' | 'easypost' | 'state';

interface ComponentState {
  ok: boolean;
  lastSuccessAt: string | null;
  lastError: string | null;
}

export class Health {
  private readonly components = new Map<Component, ComponentState>();

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
