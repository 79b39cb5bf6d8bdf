import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contrastRatio, loadBranding, readableOn } from '../../src/config/branding';
import { ConfigError } from '../../src/config/yaml-file';
import { fromPackageRoot } from '../../src/util/package-root';

/** config/tracking-page.yaml `branding:`: the shipped file loads; every mistake is reported at once, by file and key. */
function configWith(edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipsignal-branding-'));
  cpSync(fromPackageRoot('config'), dir, { recursive: true });
  const file = join(dir, 'tracking-page.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return dir;
}

function problems(dir: string): string[] {
  try {
    loadBranding(dir);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

describe('branding', () => {
  it('loads the shipped branding', () => {
    const branding = loadBranding(fromPackageRoot('config'));
    expect(branding.storeName).toBe('Casa Aurora');
    expect(branding.logoUrl).toBe('assets/logo.svg');
    expect(branding.colors.primary).toBe('#1f4e79');
    expect(branding.support.phone).toBe('+55 11 4000-1234');
    expect(branding.returnsUrl).toMatch(/^https:\/\//);
  });

  it('fills colours and fonts with defaults, and takes no phone', () => {
    const dir = configWith((text) => text.replace(/ {2}colors:[\s\S]*?fontFamily: .*\n/, '').replace(/ {4}phone: .*\n/, ''));
    const branding = loadBranding(dir);
    expect(branding.colors).toEqual({ primary: '#1f4e79', accent: '#b8860b', text: '#1b1b1b', background: '#ffffff' });
    expect(branding.fontFamily).toMatch(/sans-serif$/);
    expect(branding.support.phone).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports every problem at once with the file, the key and what is allowed', () => {
    const dir = configWith((text) => text
      .replace("primary: '#1f4e79'", "primary: 'blue'")
      .replace('logoUrl: assets/logo.svg', 'logoUrl: ../secrets.txt')
      .replace('email: ajuda@casa-aurora.example', 'email: not-an-email')
      .replace('fontFamily: ', 'fontFamily: \'x;}</style><script>\' #')
      .replace('returnsUrl:', 'returnUrl:'));
    const found = problems(dir).join('\n');
    expect(found).toMatch(/tracking-page\.yaml: branding\.colors\.primary: expected a hex colour/);
    expect(found).toMatch(/tracking-page\.yaml: branding\.logoUrl: expected https:\/\/… or assets\/<file>/);
    expect(found).toMatch(/tracking-page\.yaml: branding\.support\.email: expected an email address/);
    expect(found).toMatch(/tracking-page\.yaml: branding\.fontFamily: expected a CSS font list/);
    expect(found).toMatch(/tracking-page\.yaml: branding\.returnsUrl: .*expected/i);
    rmSync(dir, { recursive: true, force: true });
  });

  it('names an unknown key with the keys allowed there', () => {
    const dir = configWith((text) => text.replace('storeName:', 'storName: x\n  storeName:'));
    expect(problems(dir).join('\n')).toMatch(/tracking-page\.yaml: branding\.storName: unknown key \(allowed here: storeName, logoUrl, colors, fontFamily, support, returnsUrl\)/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses colours customers could not read (WCAG AA 4.5:1)', () => {
    const dir = configWith((text) => text.replace("text: '#1b1b1b'", "text: '#cccccc'").replace("primary: '#1f4e79'", "primary: '#f4c542'"));
    const found = problems(dir);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/branding\.colors\.text: contrast with colors\.background is 1\.6\d:1; at least 4\.5:1/);
    expect(found[1]).toMatch(/branding\.colors\.primary: contrast/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says which file is missing, or that the section is', () => {
    const empty = mkdtempSync(join(tmpdir(), 'shipsignal-branding-'));
    expect(problems(empty).join('\n')).toMatch(/tracking-page\.yaml: file not found/);
    writeFileSync(join(empty, 'tracking-page.yaml'), 'rules: []\n');
    expect(problems(empty).join('\n')).toMatch(/tracking-page\.yaml: branding: required/);
    rmSync(empty, { recursive: true, force: true });
  });

  it('computes WCAG contrast and a readable text colour on a fill', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#fff', '#ffffff')).toBeCloseTo(1, 5);
    expect(readableOn('#1f4e79')).toBe('#ffffff');
    expect(readableOn('#f4c542')).toBe('#111111');
  });
});
