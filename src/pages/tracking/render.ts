import type { Branding } from '../../config/branding';
import type { CompiledBlock, Locale } from './config';
import type { Liquid } from 'liquidjs';
import { STRINGS, formatDay, formatTime } from './i18n';
import type { ParcelView, TrackingView } from './view';

/**
 * HTML from the view model: every value escaped, no script, no inline style, nothing loaded from another host
 * (the logo is first-party or on the merchant's own CDN, allowed by the page's CSP). Works with JavaScript off.
 */
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ENTITIES[c]);

export interface PageChrome {
  readonly branding: Branding;
  readonly locale: Locale;
  /** Path prefix of every link (the public URL's path, e.g. `/apps/track`), no trailing slash. */
  readonly basePath: string;
  readonly stylesheet: string;
  readonly logoSrc: string;
}

function layout(chrome: PageChrome, title: string, body: string): string {
  const { branding, locale, basePath } = chrome;
  const s = STRINGS[locale];
  const support = branding.support;
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${basePath}/t/static/${chrome.stylesheet}"></head>
<body><a class="skip" href="#main">${locale === 'pt-BR' ? 'Pular para o conteúdo' : 'Skip to content'}</a>
<header class="brand"><img src="${escapeHtml(chrome.logoSrc)}" alt="${escapeHtml(branding.storeName)}" height="40"></header>
<main id="main">${body}</main>
<footer><h2>${escapeHtml(s.support)}</h2><ul>
<li><a href="mailto:${escapeHtml(support.email)}">${escapeHtml(support.email)}</a></li>
<li><a href="${escapeHtml(support.url)}">${escapeHtml(s.contactSupport)}</a></li>
${support.phone ? `<li><a href="tel:${escapeHtml(support.phone.replace(/[^+0-9]/g, ''))}">${escapeHtml(support.phone)}</a></li>` : ''}
<li><a href="${escapeHtml(branding.returnsUrl)}">${escapeHtml(s.returns)}</a></li></ul></footer>
</body></html>`;
}

function parcelHtml(parcel: ParcelView, locale: Locale, n: number): string {
  const s = STRINGS[locale];
  const day = (iso: string) => escapeHtml(formatDay(locale, parcel.timeZone, iso));
  const heading = `p${n}-h`;
  const eta: string[] = [];
  if (parcel.deliveredAt) eta.push(`<div><dt>${s.deliveredOn}</dt><dd>${day(parcel.deliveredAt)}</dd></div>`);
  if (parcel.prediction) {
    eta.push(`<div><dt>${s.mostLikely}</dt><dd>${day(parcel.prediction.mostLikelyAt)}</dd></div>`);
    eta.push(`<div><dt>${s.latestLikely}</dt><dd>${day(parcel.prediction.latestLikelyAt)}</dd></div>`);
  }
  if (parcel.promisedAt && !parcel.deliveredAt) eta.push(`<div><dt>${s.promise}</dt><dd>${day(parcel.promisedAt)}</dd></div>`);
  const scans = parcel.scans.length === 0
    ? `<p>${s.noScans}</p>`
    : `<ol class="timeline" role="list">${parcel.scans.map((scan, i) => `<li${i === 0 ? ' aria-current="step"' : ''}><time datetime="${scan.at}">${escapeHtml(formatTime(locale, parcel.timeZone, scan.at))}</time><strong>${escapeHtml(s.status[scan.status])}</strong>${scan.message ? ` · ${escapeHtml(scan.message)}` : ''}${scan.place ? ` · ${escapeHtml(scan.place)}` : ''}</li>`).join('')}</ol>`;
  const carrier = parcel.carrierUrl && /^https?:\/\//.test(parcel.carrierUrl)
    ? `<p><a href="${escapeHtml(parcel.carrierUrl)}" rel="noopener noreferrer">${escapeHtml(s.carrierLink(parcel.carrier ?? (locale === 'pt-BR' ? 'transportadora' : 'carrier')))}</a></p>`
    : '';
  return `<article class="card parcel" aria-labelledby="${heading}"><h2 id="${heading}">${escapeHtml(s.parcel(parcel.index, parcel.count))} <span class="badge">${escapeHtml(s.status[parcel.status])}</span></h2>
${parcel.trackingCode ? `<p>${escapeHtml(parcel.carrier ?? '')} ${escapeHtml(parcel.trackingCode)}</p>` : ''}
${eta.length > 0 ? `<dl class="eta">${eta.join('')}</dl>` : ''}${parcel.prediction?.thin ? `<p>${s.thinHistory}</p>` : ''}
<h3>${s.timeline}</h3>${scans}
<h3>${s.items}</h3><ul class="items">${parcel.items.map((item) => `<li>${item.quantity} × ${escapeHtml(item.name)}</li>`).join('')}</ul>${carrier}</article>`;
}

export interface BlockRenderer {
  readonly liquid: Liquid;
  readonly blocks: ReadonlyMap<string, CompiledBlock>;
  /** A block whose template fails at run time is left out of the page, and reported here. */
  onError(blockId: string, error: Error): void;
}

/** The tracking page of one order. `token` builds the measured block links; returns the HTML and the blocks shown. */
export function renderTrackingPage(view: TrackingView, chrome: PageChrome, renderer: BlockRenderer, token: string): { html: string; blocksShown: string[] } {
  const { locale, branding, basePath } = chrome;
  const s = STRINGS[locale];
  const scope = {
    customer: { first_name: view.firstName ?? '', segment: view.segment ?? '' },
    order: { number: view.orderNumber, status: view.status, issue_open: view.issueOpen },
    store: { name: branding.storeName },
    support: { email: branding.support.email, url: branding.support.url },
    locale,
  };
  const shown: string[] = [];
  const blocks = view.blocks.map((choice) => {
    const block = renderer.blocks.get(choice.id);
    if (!block) return '';
    let content: string;
    try {
      content = renderer.liquid.renderSync(block.template, scope) as string;
    } catch (error) {
      renderer.onError(choice.id, error as Error);
      return '';
    }
    shown.push(choice.id);
    const link = choice.link ? `<p><a class="cta" href="${basePath}/t/${token}/go/${choice.id}">${escapeHtml(choice.link.label)}</a></p>` : '';
    return `<section class="card block block-${choice.kind}" data-block="${choice.id}">${content}${link}</section>`;
  });
  const issue = view.parcels.find((parcel) => parcel.issue)?.issue ?? null;
  const issueHtml = issue
    ? `<section class="card issue" aria-labelledby="issue-h"><h2 id="issue-h">${s.issueTitle}</h2><p>${escapeHtml(s.issue(issue.code))}</p><p>${s.issueNext}</p><p><a href="${escapeHtml(branding.support.url)}">${s.contactSupport}</a></p></section>`
    : '';
  const recommendations = view.recommendations.length > 0
    ? `<section class="card recommendations" aria-labelledby="rec-h"><h2 id="rec-h">${s.recommendations}</h2><ul class="items">${view.recommendations.map((r) => `<li>${escapeHtml(r.title)}</li>`).join('')}</ul></section>`
    : '';
  const meta = [escapeHtml(s.order(view.orderNumber)), view.city ? escapeHtml(s.deliveringTo(view.city)) : ''].filter(Boolean).join(' · ');
  const body = `<h1>${escapeHtml(s.greeting(view.firstName))}</h1><p class="meta">${meta}</p>
<div aria-live="polite">${issueHtml}</div>
<div class="parcels">${view.parcels.map((parcel, i) => parcelHtml(parcel, locale, i + 1)).join('\n')}</div>
${blocks.join('\n')}${recommendations}`;
  return { html: layout(chrome, s.title(branding.storeName), body), blocksShown: shown };
}

/** The lookup form; `message` is the one answer for any failed lookup (no hint which field was wrong). */
export function renderLookupPage(chrome: PageChrome, message: 'notFound' | 'tooMany' | null, orderNumber = ''): string {
  const s = STRINGS[chrome.locale];
  const error = message ? `<p class="error" role="alert">${s[message]}</p>` : '';
  return layout(chrome, s.title(chrome.branding.storeName), `<h1>${s.lookupTitle}</h1><p>${s.lookupIntro}</p>${error}
<form class="lookup" method="post" action="${chrome.basePath}/track">
<div><label for="order">${s.orderNumber}</label><input id="order" name="order" required maxlength="40" autocomplete="off" value="${escapeHtml(orderNumber)}"></div>
<div><label for="contact">${s.emailOrPostal}</label><input id="contact" name="contact" required maxlength="254" autocomplete="email"></div>
<button type="submit">${s.find}</button></form>`);
}
