import { hash32 } from '../../../util/prng';

/**
 * Neither dataset has names or contact details, so they are synthesised from the source's customer id: the same
 * customer always gets the same person, and nobody real is described.
 */
export interface Identity {
  readonly firstName: string;
  readonly lastName: string;
  /** Canonical, lower-case. */
  readonly email: string;
  /** E.164, or null for customers who left no phone. */
  readonly phone: string | null;
}

export type Locale = 'br' | 'uk';

const NAMES: Readonly<Record<Locale, { first: readonly string[]; last: readonly string[] }>> = {
  br: {
    first: ['maria', 'ana', 'francisca', 'juliana', 'marcia', 'fernanda', 'patricia', 'aline', 'jose', 'joao', 'antonio',
      'francisco', 'carlos', 'paulo', 'pedro', 'lucas', 'luiz', 'marcos', 'gabriel', 'rafael', 'beatriz', 'camila', 'bruno', 'thiago'],
    last: ['silva', 'santos', 'oliveira', 'souza', 'rodrigues', 'ferreira', 'alves', 'pereira', 'lima', 'gomes', 'costa',
      'ribeiro', 'martins', 'carvalho', 'almeida', 'lopes', 'soares', 'fernandes', 'vieira', 'barbosa'],
  },
  uk: {
    first: ['oliver', 'george', 'harry', 'jack', 'charlie', 'thomas', 'james', 'william', 'olivia', 'amelia', 'emily',
      'isla', 'ava', 'jessica', 'sophie', 'grace', 'ruby', 'lily', 'daniel', 'samuel', 'hannah', 'chloe'],
    last: ['smith', 'jones', 'williams', 'taylor', 'brown', 'davies', 'evans', 'wilson', 'thomas', 'johnson', 'roberts',
      'robinson', 'wright', 'walker', 'white', 'hughes', 'edwards', 'green', 'hall', 'wood'],
  },
};

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function digits(seed: number, count: number): string {
  let out = '';
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = hash32(`${state}:${i}`);
    out += String(state % 10);
  }
  return out;
}

export function syntheticIdentity(customerKey: string, locale: Locale): Identity {
  const h = hash32(`${locale}:${customerKey}`);
  const names = NAMES[locale];
  const first = names.first[h % names.first.length];
  const last = names.last[(h >>> 8) % names.last.length];
  const tag = (hash32(customerKey) & 0xffff).toString(16).padStart(4, '0');
  const hasPhone = (h >>> 20) % 10 < 6;
  const phone = !hasPhone ? null
    : locale === 'br' ? `+55${11 + (h % 89)}9${digits(h, 8)}`
    : `+447${digits(h, 9)}`;
  return { firstName: capitalize(first), lastName: capitalize(last), email: `${first}.${last}.${tag}@example.com`, phone };
}

/**
 * How an order's email was typed at checkout: mostly as is, sometimes capitalised or padded with spaces, so every
 * consumer has to normalise before using an email as a key (3% and 2% of orders).
 */
export function emailAsTyped(email: string, orderKey: string): string {
  const roll = hash32(`typed:${orderKey}`) % 100;
  if (roll < 3) return email.replace(/(^|\.)([a-z])/g, (_m, dot: string, c: string) => dot + c.toUpperCase()).replace('@example.com', '@Example.com');
  if (roll < 5) return ` ${email} `;
  return email;
}
