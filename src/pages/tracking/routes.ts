import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HttpRoutes } from '../../daemon/http-server';
import { STRICT_CSP } from '../../daemon/http-server';
import type { Segment } from '../../model/customer';
import type { MetricEvent } from '../../model/records';
import { blockClickEvent, pageViewEvent, type PageVisit } from '../../mapping/page-events';
import type { MappingConfig } from '../../mapping/mapping-config';
import { normalizeOrderNumber } from '../../state/keys';
import type { ShipmentState } from '../../state/shipments';
import type { Clock } from '../../util/clock';
import type { TrackingPageConfig } from './config';
import { renderLookupPage, renderTrackingPage, type PageChrome } from './render';
import { pageStylesheet, stylesheetName } from './style';
import { verifyAppProxy } from './app-proxy';
import { signToken, verifyToken, type TrackingKeys } from './token';
import { buildTrackingView, type Recommendation, type TrackingView } from './view';

/** What the page reads and writes, supplied by the daemon (state reads, the outbox, the recommender). */
export interface TrackingPageDeps {
  readonly config: TrackingPageConfig;
  readonly mapping: MappingConfig;
  readonly storeId: string;
  readonly keys: TrackingKeys;
  /** The public URL's path (`/apps/track` behind an app proxy), no trailing slash; '' at the root. */
  readonly basePath: string;
  readonly clock: Clock;
  /** The order's current parcels (retired pending parcels left out), or null for no such order. */
  parcels(orderNumber: string): Promise<ShipmentState[] | null>;
  segment(email: string): Promise<Segment | null>;
  recommendations(parcels: readonly ShipmentState[]): Promise<Recommendation[]>;
  zoneOf(parcel: ShipmentState): string;
  /** Set when the page is served through a Shopify app proxy: every request must carry Shopify's signature. */
  readonly appProxySecret: string | null;
  /** Appends to the outbox (the drain delivers to the destination). */
  record(events: readonly MetricEvent[]): Promise<void>;
  warn(message: string, meta: Record<string, unknown>): void;
}

/** A failed lookup is answered no sooner than this after it arrived: "no such order" and "wrong email" look alike. */
const LOOKUP_FLOOR_MS = 60;
const NOT_FOUND = 'Not found';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
/** Constant-time equality of two strings of any length (compared as digests). */
const sameText = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));
const postal = (value: string): string => value.replace(/[^0-9a-z]/gi, '').toLowerCase();

function logoSource(config: TrackingPageConfig, basePath: string): { src: string; origin: string | null; file: string | null } {
  const logo = config.branding.logoUrl;
  if (logo.startsWith('assets/')) return { src: `${basePath}/t/static/${logo.slice('assets/'.length)}`, origin: null, file: logo };
  return { src: logo, origin: new URL(logo).origin, file: null };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = { svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' };

/** The page, the lookup, the measured block links and the static files, as routes for the daemon's HTTP face. */
export function trackingPageRoutes(deps: TrackingPageDeps): HttpRoutes {
  const { config, basePath } = deps;
  const css = pageStylesheet(config.branding);
  const cssName = stylesheetName(css);
  const logo = logoSource(config, basePath);
  const logoBytes = logo.file ? readFileSync(join(config.dir, logo.file)) : null;
  const logoName = logo.file ? logo.file.slice('assets/'.length) : null;
  const chrome: PageChrome = { branding: config.branding, locale: config.page.locale, basePath, stylesheet: cssName, logoSrc: logo.src };
  // A logo on the merchant's own CDN is the one image allowed from elsewhere; nothing else leaves the page.
  const helmet = logo.origin ? { contentSecurityPolicy: { ...STRICT_CSP, directives: { ...STRICT_CSP.directives, imgSrc: ["'self'", logo.origin] } } } : undefined;
  const recentViews = new Set<string>();
  let recentHour = '';

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  const notFound = (reply: FastifyReply) => reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(NOT_FOUND);

  async function load(token: string): Promise<{ view: TrackingView; parcels: ShipmentState[]; viewMs: number } | null> {
    const orderNumber = verifyToken(deps.keys, deps.storeId, token);
    if (orderNumber === null) return null;
    const parcels = await deps.parcels(orderNumber);
    if (!parcels || parcels.length === 0) return null;
    const [segment, recommendations] = await Promise.all([deps.segment(parcels[0].customerEmail), deps.recommendations(parcels)]);
    const started = process.hrtime.bigint();
    const view = buildTrackingView({ parcels, segment, now: deps.clock.now(), recommendations, zoneOf: deps.zoneOf }, config);
    return { view, parcels, viewMs: Number(process.hrtime.bigint() - started) / 1e6 };
  }

  const visitOf = (view: TrackingView): PageVisit => ({
    email: view.email, orderId: view.orderId, orderNumber: view.orderNumber, status: view.status, issueOpen: view.issueOpen, segment: view.segment,
  });

  /** Queued after the response; one per order per hour from this process (the unique_id dedupes across processes). */
  function recordView(view: TrackingView, blocksShown: string[]): void {
    const event = pageViewEvent(visitOf(view), blocksShown, deps.clock.now(), deps.mapping);
    if (!event) return;
    const hour = deps.clock.now().toISOString().slice(0, 13);
    if (hour !== recentHour) {
      recentViews.clear();
      recentHour = hour;
    }
    if (recentViews.has(event.uniqueId)) return;
    recentViews.add(event.uniqueId);
    deps.record([event]).catch((error: unknown) => {
      recentViews.delete(event.uniqueId);
      deps.warn('tracking page view not recorded', { error: (error as Error).message });
    });
  }

  const renderTooMany = () => renderLookupPage(chrome, 'tooMany');

  return {
    name: 'tracking-page',
    access: 'public',
    register: (app: FastifyInstance) => {
      const proxySecret = deps.appProxySecret;
      if (proxySecret) {
        // Behind Shopify's app proxy only Shopify may call: an unsigned or forged request is a plain 404.
        app.addHook('onRequest', async (request, reply) => {
          const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
          if (!verifyAppProxy(search, proxySecret)) return notFound(reply);
        });
      }
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      });
      const perOrder = app.createRateLimit({
        max: config.page.lookup.perOrderPerHour,
        timeWindow: 3_600_000,
        keyGenerator: (request) => `order:${normalizeOrderNumber(String((request.body as Record<string, unknown> | undefined)?.order ?? ''))}`,
      });
      const viewLimit = { rateLimit: { max: config.page.viewsPerIpPerMinute, timeWindow: 60_000 } };
      const lookupLimit = { rateLimit: { max: config.page.lookup.perIpPerMinute, timeWindow: 60_000 } };
      // A visitor over a limit gets the page's own words, not the server's JSON (the limiter set Retry-After).
      app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
        if (error.statusCode === 429) return html(reply, 429, request.method === 'POST' ? renderLookupPage(chrome, 'tooMany') : renderTooMany());
        if (typeof error.statusCode === 'number' && error.statusCode < 500) return reply.code(error.statusCode).type('text/plain; charset=utf-8').send('Bad request');
        deps.warn('tracking page failed', { error: (error as Error).message });
        return reply.code(500).type('text/plain; charset=utf-8').send('Something went wrong');
      });

      app.get(`/t/static/${cssName}`, async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=31536000, immutable').type('text/css; charset=utf-8').send(css));
      if (logoBytes && logoName) {
        const type = CONTENT_TYPES[logoName.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
        app.get(`/t/static/${logoName}`, async (_request, reply) => reply.header('cache-control', 'public, max-age=86400').type(type).send(logoBytes));
      }

      app.get<{ Params: { token: string } }>('/t/:token', { config: viewLimit, ...(helmet ? { helmet } : {}) }, async (request, reply) => {
        const arrived = process.hrtime.bigint();
        const loaded = await load(request.params.token);
        if (!loaded) return notFound(reply);
        const rendering = process.hrtime.bigint();
        const page = renderTrackingPage(loaded.view, chrome, {
          liquid: config.liquid, blocks: config.blocks,
          onError: (blockId, error) => deps.warn('tracking page block failed to render; left out', { blockId, error: error.message }),
        }, request.params.token);
        recordView(loaded.view, page.blocksShown);
        // Server-Timing (standard, shown in browsers' devtools): state reads, and the pure view + HTML render.
        const done = process.hrtime.bigint();
        const ms = (from: bigint) => (Number(done - from) / 1e6).toFixed(2);
        reply.header('server-timing', `render;dur=${(loaded.viewMs + Number(done - rendering) / 1e6).toFixed(2)}, total;dur=${ms(arrived)}`);
        return html(reply, 200, page.html);
      });

      app.get<{ Params: { token: string; block: string } }>('/t/:token/go/:block', { config: viewLimit }, async (request, reply) => {
        const block = config.blocks.get(request.params.block);
        const loaded = block?.link ? await load(request.params.token) : null;
        if (!block?.link || !loaded || !loaded.view.blocks.some((shown) => shown.id === block.id)) return notFound(reply);
        const event = blockClickEvent(visitOf(loaded.view), block.id, deps.clock.now(), deps.mapping);
        if (event) await deps.record([event]).catch((error: unknown) => deps.warn('tracking page click not recorded', { error: (error as Error).message }));
        return reply.code(303).header('cache-control', 'no-store').header('location', block.link.url).send();
      });

      app.get('/track', { config: viewLimit, ...(helmet ? { helmet } : {}) }, async (_request, reply) => html(reply, 200, renderLookupPage(chrome, null)));

      app.post<{ Body: Record<string, string> | undefined }>('/track', { config: lookupLimit, ...(helmet ? { helmet } : {}) }, async (request, reply) => {
        const started = Date.now();
        const orderInput = String(request.body?.order ?? '').slice(0, 40);
        const contact = String(request.body?.contact ?? '').trim().toLowerCase().slice(0, 254);
        const limited = await perOrder(request);
        if (!limited.isAllowed && limited.isExceeded) return html(reply, 429, renderLookupPage(chrome, 'tooMany', orderInput));
        const parcels = orderInput.trim() ? await deps.parcels(normalizeOrderNumber(orderInput)) : null;
        const first = parcels?.[0] ?? null;
        // The same comparisons whether or not the order exists, against values no input can match when it does not.
        const email = first?.customerEmail ?? '\u0000no-order';
        const zip = postal(first?.destinationPostalCode ?? '') || '\u0000no-postal';
        const emailMatch = sameText(contact, email);
        const postalMatch = sameText(postal(contact), zip);
        if (first && (emailMatch || postalMatch)) {
          return reply.code(303).header('cache-control', 'no-store').header('location', `${basePath}/t/${signToken(deps.keys, deps.storeId, first.orderName)}`).send();
        }
        const wait = LOOKUP_FLOOR_MS - (Date.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        return html(reply, 404, renderLookupPage(chrome, 'notFound', orderInput));
      });
    },
  };
}
