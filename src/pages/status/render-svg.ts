import { createHash } from 'node:crypto';
import { compile } from 'vega-lite';
import { View, parse, loader } from 'vega';
import type { Plot } from './plots';

/**
 * Draws a plot to SVG on the server with Vega (no browser, no canvas): the page ships no script and loads nothing.
 * The loader refuses every URL, so a spec that named one would fail here rather than fetch.
 */
const NO_LOADS = loader({ mode: 'file' });
NO_LOADS.load = () => Promise.reject(new Error('status plots load no data'));
NO_LOADS.sanitize = () => Promise.reject(new Error('status plots load no data'));

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Drawn plots by the hash of their spec (data included): a page viewed again before the state changed redraws
 * nothing. Vega takes 15-50 ms of CPU per plot; the spec hash a fraction of a millisecond. Bounded, oldest out.
 */
const drawn = new Map<string, string>();
const DRAWN_MAX = 64;

export function clearDrawnPlots(): void {
  drawn.clear();
}

export async function renderSvg(plot: Plot): Promise<string> {
  const key = createHash('sha1').update(`${plot.title}\n${plot.summary}\n${JSON.stringify(plot.spec)}`).digest('hex');
  const cached = drawn.get(key);
  if (cached !== undefined) return cached;
  const svg = await draw(plot);
  if (drawn.size >= DRAWN_MAX) drawn.delete(drawn.keys().next().value as string);
  drawn.set(key, svg);
  return svg;
}

async function draw(plot: Plot): Promise<string> {
  const view = new View(parse(compile(plot.spec).spec), { renderer: 'none', loader: NO_LOADS });
  try {
    const svg = await view.toSVG();
    // The whole drawing is one image to assistive technology, named by the plot's title and summary: the roles
    // Vega gives its mark containers (graphics-symbol without a name) would be unnamed images to a screen reader.
    const flat = svg.replace(/ (role|aria-[a-z]+)="[^"]*"/g, '');
    return flat.replace(/^<svg /, `<svg role="img" aria-label="${escapeXml(`${plot.title}. ${plot.summary}`)}" `);
  } finally {
    view.finalize();
  }
}
