import { readFileSync } from 'node:fs';
import { loadTrackingPage } from '../../src/pages/tracking/config';
import { fromPackageRoot } from '../../src/util/package-root';
import { configProblems, configWith as configWithFile } from '../helpers/config-copy';

/** config/tracking-page.yaml: the shipped file compiles; a template mistake is a start-up error naming file, block and line. */
const configWith = (edit: (text: string) => string): string => configWithFile('tracking-page.yaml', edit);
const problems = (dir: string): string[] => configProblems(dir, loadTrackingPage);

describe('tracking page config', () => {
  it('loads and compiles the shipped blocks and rules', () => {
    const config = loadTrackingPage(fromPackageRoot('config'));
    expect([...config.blocks.keys()]).toEqual(expect.arrayContaining(['welcome-first-order', 'vip-early-access', 'review-request']));
    expect(config.page.locale).toBe('pt-BR');
    expect(config.rules.length).toBeGreaterThan(3);
  });

  it('names the file, the block and the file line of a Liquid error', () => {
    const text = readFileSync(fromPackageRoot('config', 'tracking-page.yaml'), 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((line) => line.includes('Como cliente VIP'));
    const found = problems(configWith((t) => t.replace('Como cliente VIP, você vê', 'Como cliente {{ customer.first_name | shout }}, você vê')));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`tracking-page\\.yaml: blocks\\.1\\.template \\(block "vip-early-access"\\): Liquid error at line ${at + 1} \\(template line 2, column \\d+\\): undefined filter: shout`));
    const unclosed = problems(configWith((t) => t.replace('<h2>Seu pacote chega hoje</h2>', '{% if order.issue_open %}<h2>Seu pacote chega hoje</h2>')));
    expect(unclosed.join('\n')).toMatch(/block "out-for-delivery-tips"\): Liquid error at line \d+ .*not closed/);
  });

  it('reports bad values all at once, with the allowed ones', () => {
    const found = problems(configWith((t) => t.replace('locale: pt-BR', 'locale: fr').replace('kind: review', 'kind: upsell'))).join('\n');
    expect(found).toMatch(/page\.locale: .*"en"\|"pt-BR"/);
    expect(found).toMatch(/blocks\.6\.kind: .*"info"\|"promotion"\|"review"/);
  });

  it('reports rules naming a missing block or category, all at once', () => {
    const found = problems(configWith((t) => t.replace('block: review-request,', 'block: review-requst,').replace('categories: [furniture]', 'categories: [garden]'))).join('\n');
    expect(found).toMatch(/rules\.\d+\.block: no block "review-requst" \(blocks: welcome-first-order, /);
    expect(found).toMatch(/rules\.\d+\.when\.categories: no category "garden" \(categories: furniture\)/);
  });
});
