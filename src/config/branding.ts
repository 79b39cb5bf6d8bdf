import { join, relative } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadYamlSection } from './yaml-file';

/**
 * The store's branding, the top-level `branding:` section of config/tracking-page.yaml: read by the tracking page
 * and by the email templates, so a customer sees one brand everywhere. Every value ends up in HTML or CSS, so each
 * is constrained to what it must be (a colour is a hex colour, a font list holds no CSS syntax), and colour pairs
 * that would fail WCAG AA contrast are refused at start-up rather than shipped as an unreadable page.
 */
const hexColor = z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'expected a hex colour such as #1a4d8f or #fff');
const httpsUrl = z.url({ protocol: /^https?$/, message: 'expected an absolute http(s) URL such as https://example.com/returns' });

const brandingSchema = z.object({
  storeName: z.string().trim().min(1, 'expected the store name as customers know it').max(80, 'at most 80 characters'),
  logoUrl: z.union([
    httpsUrl,
    z.string().regex(/^assets\/[A-Za-z0-9._-]+\.(?:svg|png|jpe?g|webp)$/, 'expected assets/<file>.svg|png|jpg|webp (served from the config directory) or an https URL'),
  ], { message: 'expected https://… or assets/<file>.svg|png|jpg|webp (a file in the config directory, served by shipsignal)' }),
  colors: z.object({
    primary: hexColor.default('#1f4e79'),
    accent: hexColor.default('#b8860b'),
    text: hexColor.default('#1b1b1b'),
    background: hexColor.default('#ffffff'),
  }).prefault({}),
  fontFamily: z.string()
    .regex(/^[A-Za-z0-9 ,'"-]{1,200}$/, 'expected a CSS font list such as "Inter, Helvetica, Arial, sans-serif" (letters, digits, spaces, commas, quotes, hyphens)')
    .default('system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif'),
  support: z.object({
    email: z.email({ message: 'expected an email address such as help@example.com' }),
    url: httpsUrl,
    phone: z.string().regex(/^\+?[0-9 ()-]{5,30}$/, 'expected a phone number such as +55 11 4000-1234').optional(),
  }),
  returnsUrl: httpsUrl,
});

export type Branding = z.output<typeof brandingSchema>;

/** WCAG 2.x relative luminance of a #rgb / #rrggbb colour. */
function luminance(hex: string): number {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((d) => d + d) : [hex.slice(1, 3), hex.slice(3, 5), hex.slice(5, 7)];
  const [r, g, b] = digits.map((pair) => {
    const c = parseInt(pair, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Text on `color`: whichever of near-black and white reads better (buttons and badges in the primary colour). */
export function readableOn(color: string): '#111111' | '#ffffff' {
  return contrastRatio(color, '#111111') >= contrastRatio(color, '#ffffff') ? '#111111' : '#ffffff';
}

/** AA for normal text is 4.5:1: body text on the background, and links/headings in the primary colour. */
const MIN_CONTRAST = 4.5;

function contrastProblems(shown: string, branding: Branding): string[] {
  const { colors } = branding;
  const pairs: Array<[string, string, string]> = [
    ['text', colors.text, colors.background],
    ['primary', colors.primary, colors.background],
  ];
  return pairs
    .map(([key, fg, bg]) => [key, contrastRatio(fg, bg)] as const)
    .filter(([, ratio]) => ratio < MIN_CONTRAST)
    .map(([key, ratio]) => `${shown}: branding.colors.${key}: contrast with colors.background is ${ratio.toFixed(2)}:1; at least ${MIN_CONTRAST}:1 is required (WCAG AA) for text`);
}

/** Reads and validates `branding:` in <configDir>/tracking-page.yaml; throws ConfigError listing every problem. */
export function loadBranding(configDir: string): Branding {
  const path = join(configDir, 'tracking-page.yaml');
  const branding = loadYamlSection(path, 'branding', brandingSchema);
  const problems = contrastProblems(relative(process.cwd(), path) || path, branding);
  if (problems.length > 0) throw new ConfigError(problems);
  return branding;
}
