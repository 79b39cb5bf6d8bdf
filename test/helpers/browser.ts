import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { fromPackageRoot } from '../../src/util/package-root';

/**
 * Pages are tested in the machine's own headless Chromium (Debian's `chromium`, installed by .ci/run when missing;
 * never a downloaded browser build), driven by playwright-core, with axe-core for accessibility. Each browser gets a
 * new empty profile directory, removed on close. Every page opened through it records console errors, failed page
 * errors and any request to a host other than this machine (which is also aborted: tests need no network).
 */
export const CHROMIUM_PATH = process.env.SHIPSIGNAL_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
/** The two layouts every page is checked at. */
export const VIEWPORTS = {
  mobile: { width: 375, height: 812 },
  desktop: { width: 1280, height: 900 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** Screenshots are kept as test artefacts here (gitignored). */
export const ARTIFACTS_DIR = fromPackageRoot('test-artifacts');

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

export interface OpenedPage {
  readonly page: Page;
  readonly status: number | null;
  /** console.error messages and uncaught page errors (a CSP violation is reported here too). */
  readonly consoleErrors: string[];
  /** URLs of requests to any host but this machine (each one aborted). */
  readonly foreignRequests: string[];
  /** Every URL the page requested (document, styles, images) with its response size in bytes. */
  readonly requests: Array<{ url: string; bytes: number }>;
  /** axe-core's serious and critical violations (WCAG 2.x A/AA and best practices). */
  axe(): Promise<AxeViolation[]>;
  /** Saves a full-page screenshot as test-artifacts/<name>.png and returns the path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestBrowser {
  open(url: string, viewport: ViewportName): Promise<OpenedPage>;
  close(): Promise<void>;
}

let axeSource: string | null = null;
function axe(): string {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** Launches Chromium with a fresh profile. `javaScript: false` opens every page with scripting off. */
export async function launchBrowser(options: { javaScript?: boolean } = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'shipsignal-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
      javaScriptEnabled: options.javaScript ?? true,
      viewport: VIEWPORTS.desktop,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  // The persistent context opens one blank page; it is not used.
  await Promise.all(context.pages().map((page) => page.close()));
  return {
    open: (url, viewport) => openPage(context, url, viewport),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

async function openPage(context: BrowserContext, url: string, viewport: ViewportName): Promise<OpenedPage> {
  const page = await context.newPage();
  await page.setViewportSize(VIEWPORTS[viewport]);
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const requests: Array<{ url: string; bytes: number }> = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.route('**/*', async (route) => {
    const target = new URL(route.request().url());
    if ((target.protocol === 'http:' || target.protocol === 'https:') && !LOCAL_HOSTS.has(target.hostname)) {
      foreignRequests.push(target.href);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  page.on('requestfinished', (request) => {
    void request.sizes().then(
      (sizes) => requests.push({ url: request.url(), bytes: sizes.responseBodySize }),
      () => undefined,
    );
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  return {
    page,
    status: response?.status() ?? null,
    consoleErrors,
    foreignRequests,
    requests,
    axe: async () => {
      // Evaluated through the DevTools protocol, so the page's own CSP (no script at all) does not block it.
      if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axe());
      const result = (await page.evaluate(
        'window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) })))',
      )) as AxeViolation[];
      return result.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    },
    screenshot: async (name) => {
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const path = join(ARTIFACTS_DIR, `${name.replace(/[^a-zA-Z0-9._-]+/g, '-')}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: () => page.close(),
  };
}
