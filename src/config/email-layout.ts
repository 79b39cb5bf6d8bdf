import type { Branding } from './branding';

/**
 * The starter flows' emails, branded from the same config as the tracking page (config/tracking-page.yaml
 * `branding:`). Each file in mappings/flows/templates/ holds only its message; `layout.html` there is the frame
 * every message shares (header with the logo or store name, colours and font, footer with support and returns
 * links), so the frame is written once. `[[name]]` placeholders are ours, filled when the starter set is loaded;
 * Klaviyo's own merge tags (`{{ … }}`, `{% … %}`) pass through untouched, to be filled by Klaviyo at send time.
 */
export const LAYOUT_FILE = 'layout.html';

/** A value put in as text (HTML-escaped) or as HTML we built ourselves. */
type Value = { readonly text: string } | { readonly html: string };

const PLACEHOLDER = /\[\[\s*([A-Za-z.]+)\s*\]\]/g;

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * The branding as placeholders. An email cannot load a logo from a path relative to shipsignal's own HTTP server,
 * so only an absolute logo URL becomes an image; otherwise the header shows the store's name.
 */
export function brandingValues(branding: Branding): Readonly<Record<string, Value>> {
  const { colors, support } = branding;
  const name = escapeHtml(branding.storeName);
  const logo = /^https?:\/\//.test(branding.logoUrl)
    ? `<img src="${escapeHtml(branding.logoUrl)}" alt="${name}" height="40" style="height:40px;border:0">`
    : `<span style="font-size:20px;font-weight:bold;color:${colors.primary}">${name}</span>`;
  const link = (href: string, label: string) => `<a href="${escapeHtml(href)}" style="color:${colors.primary}">${escapeHtml(label)}</a>`;
  return {
    storeName: { text: branding.storeName },
    logo: { html: logo },
    'colors.primary': { text: colors.primary },
    'colors.accent': { text: colors.accent },
    'colors.text': { text: colors.text },
    'colors.background': { text: colors.background },
    fontFamily: { text: branding.fontFamily },
    'support.email': { html: link(`mailto:${support.email}`, support.email) },
    'support.url': { html: link(support.url, 'our help page') },
    'support.phone': { html: support.phone ? `, call ${link(`tel:${support.phone.replace(/[^+0-9]/g, '')}`, support.phone)}` : '' },
    returnsUrl: { html: link(branding.returnsUrl, 'Returns and exchanges') },
  };
}

function fill(template: string, values: Readonly<Record<string, Value>>, unknown: Set<string>): string {
  return template.replace(PLACEHOLDER, (match, name: string) => {
    const value = values[name];
    if (!value) {
      unknown.add(name);
      return match;
    }
    return 'html' in value ? value.html : escapeHtml(value.text);
  });
}

/**
 * One message in the shared layout: the layout's `[[content]]` is the message, `[[title]]` its subject; both may
 * use the branding's placeholders. `unknown` lists placeholders that name nothing (a typo), for the loader to report.
 */
export function renderEmail(layout: string, message: string, title: string, branding: Readonly<Record<string, Value>>): { html: string; unknown: string[] } {
  const unknown = new Set<string>();
  const content = fill(message, { ...branding, title: { text: title } }, unknown);
  const html = fill(layout, { ...branding, title: { text: title }, content: { html: content } }, unknown);
  return { html, unknown: [...unknown] };
}

/** For error messages: every placeholder a template may use. */
export const PLACEHOLDERS = ['title', 'content (layout only)', 'logo', 'storeName', 'colors.primary', 'colors.accent', 'colors.text', 'colors.background', 'fontFamily', 'support.email', 'support.url', 'support.phone', 'returnsUrl'];
