import { join } from 'node:path';
import { loadBranding } from '../../src/config/branding';
import { loadStarterSet } from '../../src/config/starter-set';
import { loadYamlFile } from '../../src/config/yaml-file';
import { mappingConfigSchema } from '../../src/mapping/mapping-config';
import { fromPackageRoot } from '../../src/util/package-root';
import { launchBrowser, type TestBrowser } from '../helpers/browser';

/**
 * The starter flows' emails as `shipsignal setup` sends them to Klaviyo (the shared layout, the store's branding,
 * Klaviyo's merge tags still in place), opened in headless Chromium and checked with axe-core: plain, accessible
 * HTML, nothing loaded from elsewhere. At the mobile viewport only: the layout is one column of at most 560 px, so a
 * wider window shows the same document (and each opening costs about a second of the suite's time).
 */
const mapping = loadYamlFile(join(fromPackageRoot('mappings'), 'klaviyo.yaml'), mappingConfigSchema);
const set = loadStarterSet(fromPackageRoot('mappings'), mapping, loadBranding(fromPackageRoot('config')));
const emails = set.flows.flatMap((flow) => flow.steps.flatMap((step) => (step.kind === 'email' ? [{ name: step.template.name, html: step.template.html }] : [])));

let browser: TestBrowser;
beforeAll(async () => {
  browser = await launchBrowser({ javaScript: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('starter emails in a browser', () => {
  it('renders all eight', () => {
    expect(emails).toHaveLength(8);
  });

  it.each(emails.map((email) => [email.name, email.html] as const))('%s: no serious or critical axe violation, no request leaves the page', async (_name, html) => {
    const page = await browser.open(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`, 'mobile');
    try {
      expect(await page.axe()).toEqual([]);
      expect(page.foreignRequests).toEqual([]);
      expect(page.consoleErrors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
