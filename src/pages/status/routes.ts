import type { HttpRoutes } from '../../daemon/http-server';
import type { HealthView } from '../../daemon/health';
import type { Metrics } from '../../observability/metrics';
import type { StateStore } from '../../state/port';
import type { Clock } from '../../util/clock';
import { readStatus } from './read';
import { STATUS_CSS, renderStatusPage } from './view';

export interface StatusRouteDeps {
  readonly storeId: string;
  readonly store: StateStore;
  readonly metrics: Pick<Metrics, 'jobRuns' | 'recentRequests'>;
  readonly health: () => HealthView;
  readonly clock: Clock;
  /** SHIPSIGNAL_HTTP_TOKEN: without one the page is refused (it names records, reasons and accounts). */
  readonly tokenConfigured: boolean;
}

/** Where the page's stylesheet is served: public, since it holds nothing but styles and a browser fetches it without the token. */
export const STATUS_CSS_PATH = '/status-assets/status.css';

/**
 * GET /status (the page, behind the daemon's token) and its stylesheet (public). Each page request reads bounded
 * state (see read.ts) and renders on the server; the page carries no script and loads nothing from elsewhere.
 */
export function statusRoutes(deps: StatusRouteDeps): HttpRoutes[] {
  return [
    {
      name: 'status',
      access: 'token',
      prefix: '/status',
      register(app) {
        app.get('/', async (_request, reply) => {
          if (!deps.tokenConfigured) return reply.code(403).type('text/plain; charset=utf-8').send('/status needs SHIPSIGNAL_HTTP_TOKEN to be set\n');
          const data = await readStatus({ store: deps.store, metrics: deps.metrics, health: deps.health(), clock: deps.clock });
          return reply
            .header('cache-control', 'no-store')
            .type('text/html; charset=utf-8')
            .send(renderStatusPage(data, deps.storeId, { href: STATUS_CSS_PATH }));
        });
      },
    },
    {
      name: 'status-assets',
      access: 'public',
      prefix: '/status-assets',
      register(app) {
        app.get('/status.css', async (_request, reply) => reply.header('cache-control', 'max-age=300').type('text/css; charset=utf-8').send(STATUS_CSS));
      },
    },
  ];
}
