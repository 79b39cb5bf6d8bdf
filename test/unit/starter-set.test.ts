import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSetup } from '../../src/cli/setup';
import { parseEnv } from '../../src/config/env';
import { loadBranding } from '../../src/config/branding';
import { loadStarterSet } from '../../src/config/starter-set';
import { ConfigError, loadYamlFile } from '../../src/config/yaml-file';
import { mappingConfigSchema } from '../../src/mapping/mapping-config';
import type { Provisioner } from '../../src/sinks/provisioner';
import { fromPackageRoot } from '../../src/util/package-root';

const MAPPINGS = fromPackageRoot('mappings');
const mapping = loadYamlFile(join(MAPPINGS, 'klaviyo.yaml'), mappingConfigSchema);
const branding = loadBranding(fromPackageRoot('config'));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'starter-set-'));
  cpSync(MAPPINGS, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the starter set (mappings/segments.yaml, mappings/flows/*.yaml)', () => {
  it('loads the shipped set with names resolved through mappings/klaviyo.yaml', () => {
    const set = loadStarterSet(MAPPINGS, mapping, branding);
    expect(set.segments.length).toBe(10);
    expect(set.flows.map((f) => f.triggerMetric).sort()).toEqual([
      'Delivery Issue Detected', 'Delivery Issue Resolved', 'Lifecycle Segment Changed', 'Shipment Delivered', 'Shipment Out for Delivery',
    ]);
    expect(set.segments.find((s) => s.name === 'ss: VIP customers')?.conditions).toEqual([{ field: 'ss_segment', equals: 'vip' }]);
  });

  it('takes the fragile-trust property from upcomingProperties until the mapping writes it, and says so', () => {
    const set = loadStarterSet(MAPPINGS, mapping, branding);
    expect(set.segments.find((s) => s.name === 'ss: Fragile trust')?.conditions).toEqual([{ field: 'ss_trust_at_risk', equals: true }]);
    const flow = set.flows.find((f) => f.name === 'ss: Delivery issue');
    expect(flow?.steps[0]).toEqual({ id: 'split-trust', kind: 'split', conditions: [{ field: 'ss_trust_at_risk', equals: true }], then: 'email-trust', else: 'split-vip' });
    const trustEmail = flow?.steps.find((s) => s.id === 'email-trust');
    expect(trustEmail?.kind === 'email' && trustEmail.template.html).toContain('We are sorry');
    // Until mappings/klaviyo.yaml maps the key (the returns and refunds signal's property), setup notes it; once it
    // does, it is an ordinary mapped property: no note.
    const { properties, deliveryProperties } = mapping.profile;
    const shipped = 'trust_at_risk' in properties || 'trust_at_risk' in deliveryProperties;
    expect(set.unwritten).toEqual(shipped ? [] : [{ property: 'ss_trust_at_risk', filledBy: expect.stringContaining('fragile-trust') }]);
    const unmapped = { ...mapping, profile: { ...mapping.profile, properties: {}, deliveryProperties: { hold_promotions: 'delivery.hold_promotions' as const } } };
    expect(() => loadStarterSet(MAPPINGS, unmapped, branding)).toThrow(/unknown property 'segment'/);
    const onlyTrust = { ...mapping, profile: { ...mapping.profile, properties: { ...properties, trust_at_risk: 'lifecycle.segment' as const } } };
    expect(loadStarterSet(MAPPINGS, onlyTrust, branding).unwritten).toEqual([]);
  });

  it('puts every email in the shared layout, branded from config/tracking-page.yaml, Klaviyo merge tags untouched', () => {
    const set = loadStarterSet(MAPPINGS, mapping, branding);
    const emails = set.flows.flatMap((f) => f.steps.flatMap((s) => (s.kind === 'email' ? [s] : [])));
    expect(emails).toHaveLength(8);
    for (const email of emails) {
      expect(email.template.html).not.toMatch(/\[\[/);
      expect(email.template.html.match(/<html/g)).toHaveLength(1);
      expect(email.template.html).toContain(`<title>${email.subject}</title>`);
      expect(email.template.html).toContain('>Casa Aurora</span>');
      expect(email.template.html).toContain('href="mailto:ajuda@casa-aurora.example"');
      expect(email.template.html).toContain('href="https://casa-aurora.example/trocas-e-devolucoes"');
      expect(email.template.html).toContain('href="tel:+551140001234"');
      expect(email.template.html).toContain('color:#1f4e79');
      expect(email.template.html).toContain('{{ first_name|default:"there" }}');
    }
  });

  it('escapes branding values, shows an absolute logo as an image, and reports an unknown placeholder', () => {
    const custom = { ...branding, storeName: 'Ana & "Bo" <Shop>', logoUrl: 'https://cdn.example.com/logo.png' };
    const html = loadStarterSet(MAPPINGS, mapping, custom).flows[0].steps.find((s) => s.kind === 'email');
    expect(html?.kind === 'email' && html.template.html).toContain('<img src="https://cdn.example.com/logo.png" alt="Ana &amp; &quot;Bo&quot; &lt;Shop&gt;"');
    writeFileSync(join(dir, 'flows', 'templates', 'win-back.html'), '<p>[[storName]]</p>');
    expect(problemsOf(() => loadStarterSet(dir, mapping, branding))).toEqual([
      expect.stringMatching(/templates\/win-back\.html or layout\.html: \[\[storName\]\]: unknown placeholder \(allowed: .*storeName/),
    ]);
    rmSync(join(dir, 'flows', 'templates', 'layout.html'));
    expect(problemsOf(() => loadStarterSet(dir, mapping, branding))).toEqual(expect.arrayContaining([expect.stringMatching(/layout\.html: file does not exist/)]));
  });

  it('follows a renamed metric', () => {
    const renamed = { ...mapping, events: { ...mapping.events, shipments: { ...mapping.events.shipments, issueDetected: { metric: 'Parcel Problem', enabled: true } } } };
    const flow = loadStarterSet(MAPPINGS, renamed, branding).flows.find((f) => f.name === 'ss: Delivery issue');
    expect(flow?.triggerMetric).toBe('Parcel Problem');
  });

  it('reports every problem of a malformed flow at once, naming file, key and what is allowed', () => {
    writeFileSync(join(dir, 'flows', 'broken.yaml'), [
      'name: "ss: Broken"',
      'trigger: { metric: shipments.lost }',
      'steps:',
      '  - id: wait',
      '    delay: { value: 2, unit: weeks }',
      '    next: nowhere',
      '  - id: mail',
      '    email: { template: missing.html, subject: Hi }',
      '    colour: red',
    ].join('\n'));
    const problems = problemsOf(() => loadStarterSet(dir, mapping, branding));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/flows\/broken\.yaml: steps\.0\.delay\.unit: .*"days"\|"hours"\|"minutes"/),
      expect.stringMatching(/flows\/broken\.yaml: steps\.1: unknown key 'colour' \(allowed here: id, email/),
    ]));
  });

  it('checks references once the shape is right: metric key, links, template file, properties', () => {
    writeFileSync(join(dir, 'flows', 'broken.yaml'), [
      'name: "ss: Broken"',
      'trigger: { metric: shipments.lost }',
      'audience: [{ property: favourite_colour, equals: blue }]',
      'steps:',
      '  - id: wait',
      '    delay: { value: 2, unit: days }',
      '    next: nowhere',
      '  - id: mail',
      '    email: { template: missing.html, subject: Hi }',
    ].join('\n'));
    const problems = problemsOf(() => loadStarterSet(dir, mapping, branding));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/broken\.yaml: trigger\.metric: unknown metric key 'shipments\.lost' \(allowed: .*shipments\.issueDetected/),
      expect.stringMatching(/broken\.yaml: steps\.0\.next: no step with id 'nowhere' \(allowed: wait, mail\)/),
      expect.stringMatching(/broken\.yaml: steps\.1\.email\.template: file .*missing\.html does not exist/),
      expect.stringMatching(/broken\.yaml: audience\.0\.property: unknown property 'favourite_colour' \(allowed: .*hold_promotions.*trust_at_risk/),
    ]));
  });

  it('stops setup before any request', async () => {
    writeFileSync(join(dir, 'flows', 'broken.yaml'), 'name: "ss: Broken"\ntrigger: { metric: shipments.delivered }\nsteps: []\n');
    const provisioner: Provisioner = { provision: () => { throw new Error('must not be called'); } };
    const env = parseEnv({ SHIPSIGNAL_MAPPINGS_DIR: dir, KLAVIYO_API_KEY: 'pk_test' });
    await expect(runSetup(env, false, { provisioner })).rejects.toThrow(/flows\/broken\.yaml: steps: .*(>=1|at least 1)/);
  });
});
