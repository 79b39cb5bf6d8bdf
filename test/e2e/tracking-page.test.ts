import { launchBrowser, type OpenedPage, type TestBrowser, type ViewportName } from '../helpers/browser';
import { startTrackingWorld, type TrackingWorld } from '../helpers/tracking-world';

/**
 * Issue 13's acceptance cases in headless Chromium: each page at 375px and 1280px, its visible content, zero serious
 * or critical axe-core violations, no console error, no request leaving the machine; screenshots kept in
 * test-artifacts/. The state behind the pages came through the real pipeline (sandboxes → sync → state).
 */
const VIEWPORTS: readonly ViewportName[] = ['mobile', 'desktop'];

let world: TrackingWorld;
/** Scripting off: the content asserted is what a customer without JavaScript sees. */
let browser: TestBrowser;
/** axe-core runs as a script (its timers do not run with scripting off); the page itself has none either way. */
let auditor: TestBrowser;

beforeAll(async () => {
  world = await startTrackingWorld({
    recommend: async (productIds) => (productIds.length > 0 ? [{ productId: 'p-1', title: 'Abajur de linho' }, { productId: 'p-2', title: 'Lâmpada LED morna' }] : []),
  });
  browser = await launchBrowser({ javaScript: false });
  auditor = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await auditor?.close();
  await world?.close();
});

async function audit(opened: OpenedPage): Promise<void> {
  expect(await opened.axe()).toEqual([]);
  expect(opened.consoleErrors).toEqual([]);
  expect(opened.foreignRequests).toEqual([]);
  // The layout fits the viewport: nothing scrolls sideways on a phone.
  expect(await opened.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
}

async function check(url: string, name: string, viewport: ViewportName): Promise<OpenedPage & { text: string; blocks: string[] }> {
  const audited = await auditor.open(url, viewport);
  await audit(audited);
  await audited.close();
  const opened = await browser.open(url, viewport);
  expect(opened.consoleErrors).toEqual([]);
  expect(opened.foreignRequests).toEqual([]);
  await opened.screenshot(`tracking-${name}-${viewport}`);
  const text = (await opened.page.locator('main').innerText()).replace(/\s+/g, ' ');
  const blocks = await opened.page.locator('[data-block]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-block') ?? ''));
  return { ...opened, text, blocks };
}

describe('tracking page in a real browser (JavaScript off)', () => {
  it.each(VIEWPORTS)('a first-time buyer in transit (%s)', async (viewport) => {
    const page = await check(world.link('#3001'), 'first-time', viewport);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Olá, Ana! Veja onde está seu pedido');
    expect(page.text).toContain('Pedido #3001 · Entrega em Campinas');
    expect(page.text).toContain('A caminho');
    expect(page.text).toMatch(/Chegada mais provável/);
    expect(page.blocks).toEqual(['welcome-first-order', 'next-order-discount']);
    expect(page.text).toContain('Comprados junto com o que você pediu');
    // Only the first name and the city: no surname, email or postal code anywhere on the page.
    const html = await page.page.content();
    expect(html).not.toMatch(/Cliente|ana\.souza|13010/);
    await page.close();
  });

  it.each(VIEWPORTS)('a VIP out for delivery (%s)', async (viewport) => {
    const page = await check(world.link('#3002'), 'vip', viewport);
    expect(page.text).toContain('Saiu para entrega');
    expect(page.blocks).toEqual(['out-for-delivery-tips', 'vip-early-access', 'furniture-care']);
    await page.close();
  });

  it.each(VIEWPORTS)('a stalled parcel: the issue explained, no promotion (%s)', async (viewport) => {
    const page = await check(world.link('#3003'), 'stalled', viewport);
    expect(page.text).toContain('Há um problema com esta entrega');
    expect(page.text).toMatch(/Fale com o suporte/);
    expect(page.blocks).toEqual(['issue-reassurance', 'welcome-first-order']);
    expect(page.blocks).not.toContain('next-order-discount');
    expect(page.text).not.toContain('Comprados junto com o que você pediu');
    await page.close();
  });

  it.each(VIEWPORTS)('delivered ten days ago: the review block (%s)', async (viewport) => {
    const page = await check(world.link('#3004'), 'delivered', viewport);
    expect(page.text).toContain('Entregue em');
    expect(page.blocks).toContain('review-request');
    expect(page.text).not.toContain('Chegada mais provável');
    await page.close();
  });

  it.each(VIEWPORTS)('a split order: each parcel (%s)', async (viewport) => {
    const page = await check(world.link('#3005'), 'split', viewport);
    expect(page.text).toContain('Pacote 1 de 2');
    expect(page.text).toContain('Pacote 2 de 2');
    expect(await page.page.locator('article.parcel').count()).toBe(2);
    await page.close();
  });

  it.each(VIEWPORTS)('a lookup with the wrong email: the same answer as no such order (%s)', async (viewport) => {
    const form = await auditor.open(`${world.base}/track`, viewport);
    await audit(form);
    await form.page.fill('#order', '3001');
    await form.page.fill('#contact', 'someone.else@example.com');
    await form.page.click('button[type=submit]');
    const wrong = (await form.page.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(wrong).toContain('Não encontramos um pedido com esses dados');
    expect(await form.axe()).toEqual([]);
    await form.screenshot(`tracking-lookup-wrong-email-${viewport}`);
    await form.page.fill('#order', '9999');
    await form.page.fill('#contact', 'ana.souza@example.com');
    await form.page.click('button[type=submit]');
    const unknown = (await form.page.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(unknown.replace('9999', '3001')).toBe(wrong);
    // The right postal code finds the order and lands on its signed page.
    await form.page.fill('#order', '#3001');
    await form.page.fill('#contact', '13010000');
    await form.page.click('button[type=submit]');
    expect(form.page.url()).toMatch(/\/t\/k1\.[\w-]+\.[\w-]+$/);
    expect(await form.page.locator('h1').innerText()).toContain('Ana');
    await form.close();
  });
});
