import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { Health } from '../../src/daemon/health';
import { startHttpServer } from '../../src/daemon/http-server';
import { launchBrowser, type TestBrowser } from '../helpers/browser';

/**
 * The browser harness itself, on pages served by the daemon's HTTP face: it must see what a page test relies on it
 * to see (axe violations, console errors including CSP refusals, requests leaving the machine), or a page test
 * passing would prove nothing.
 */
const GOOD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ok</title><link rel="stylesheet" href="/h/site.css"></head><body><main><h1>Fine</h1><p>Readable.</p></main></body></html>';
const BAD = '<!doctype html><html><head><title>bad</title><script>console.log(1)</script></head><body><img src="https://cdn.example.com/x.png"><input type="text"><p style="color:#eee;background:#fff">faint</p></body></html>';

describe('browser test harness', () => {
  let server: Server;
  let base: string;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startHttpServer({
      port: 0, host: '127.0.0.1', token: null, health: new Health(), registry: new Registry(), webhooks: {},
      routes: [{
        name: 'harness', access: 'public', prefix: '/h',
        register: (app) => {
          app.get('/good', async (_request, reply) => reply.type('text/html; charset=utf-8').send(GOOD));
          app.get('/bad', async (_request, reply) => reply.type('text/html; charset=utf-8').send(BAD));
          // A route may relax the default policy; this one drops it, so the image request really leaves the page.
          app.get('/leaky', { helmet: false }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(BAD));
          app.get('/site.css', async (_request, reply) => reply.type('text/css').send('body{font-family:sans-serif;color:#111;background:#fff}'));
        },
      }],
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('finds nothing on a clean page, at both widths, and keeps its screenshot', async () => {
    for (const viewport of ['mobile', 'desktop'] as const) {
      const opened = await browser.open(`${base}/h/good`, viewport);
      expect(opened.status).toBe(200);
      expect(await opened.page.evaluate('window.innerWidth')).toBe(viewport === 'mobile' ? 375 : 1280);
      expect(await opened.axe()).toEqual([]);
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.foreignRequests).toEqual([]);
      expect(opened.requests.map((r) => new URL(r.url).pathname).sort()).toEqual(['/h/good', '/h/site.css']);
      expect(existsSync(await opened.screenshot(`harness-good-${viewport}`))).toBe(true);
      await opened.close();
    }
  });

  it('reports serious violations and the default CSP refusing an inline script and a third-party image', async () => {
    const opened = await browser.open(`${base}/h/bad`, 'mobile');
    const violations = await opened.axe();
    expect(violations.map((v) => v.id)).toEqual(expect.arrayContaining(['image-alt', 'label', 'html-has-lang']));
    expect(violations.every((v) => v.impact === 'serious' || v.impact === 'critical')).toBe(true);
    const errors = opened.consoleErrors.join('\n');
    // Chromium's wording changes between versions ("Refused to …" before 140, "… violates …" after).
    expect(errors).toMatch(/inline script.*Content Security Policy|Content Security Policy.*inline script/i);
    expect(errors).toMatch(/image 'https:\/\/cdn\.example\.com\/x\.png'.*Content Security Policy/);
    expect(opened.foreignRequests).toEqual([]);
    await opened.close();
  });

  it('records (and aborts) a request to another host when no policy stops it', async () => {
    const opened = await browser.open(`${base}/h/leaky`, 'desktop');
    expect(opened.consoleErrors.join('\n')).not.toMatch(/Content Security Policy/);
    expect(opened.foreignRequests).toEqual(['https://cdn.example.com/x.png']);
    await opened.close();
  });
});
