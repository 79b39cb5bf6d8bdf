import { minorDigits } from '../../model/money';
import { standardize, type ChurnModelParams } from './churn-model';
import { churnFeatures, FEATURE_NAMES, type FeatureName } from './features';
import { DAY_MS } from './history';
import type { CustomerProfile } from './segments';

type Factor = 'recency' | 'frequency' | 'spend' | 'tenure';

const FACTOR_OF: Readonly<Record<FeatureName, Factor>> = {
  log_recency_days: 'recency',
  log_overdue_ratio: 'recency',
  log_usual_gap_days: 'recency',
  log_occasions: 'frequency',
  one_occasion: 'frequency',
  log_orders_last_90d: 'frequency',
  log_orders_last_365d: 'frequency',
  log_spend: 'spend',
  log_tenure_days: 'tenure',
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Building an Intl formatter costs far more than formatting with it, and a store uses a handful of currencies. */
const moneyFormats = new Map<string, Intl.NumberFormat>();

function formatMoney(minor: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0 });
    moneyFormats.set(currency, format);
  }
  return format.format(minor / 10 ** minorDigits(currency));
}

function describe(factor: Factor, profile: CustomerProfile, at: number): string {
  const { history, gap } = profile;
  const days = Math.floor((at - (profile.lastOrderAt ?? at)) / DAY_MS);
  const gapDays = Math.round(gap.days);
  switch (factor) {
    case 'recency': {
      const whose = gap.basis === 'own_history'
        ? "this customer's usual gap"
        : gap.basis === 'store_typical' ? "the store's typical gap before a second order" : 'the assumed gap before a second order';
      const ratio = days / gap.days;
      return ratio >= 1
        ? `no order for ${plural(days, 'day')}, ${ratio.toFixed(1)}× ${whose} (${plural(gapDays, 'day')})`
        : `last order ${plural(days, 'day')} ago, within ${whose} (${plural(gapDays, 'day')})`;
    }
    case 'frequency': {
      const recent = history.orderTimes.filter((t) => at - t <= 90 * DAY_MS).length;
      return history.occasions.length === 1
        ? 'only one order so far'
        : `${plural(history.ordersCount, 'order')} in total, ${recent} in the last 90 days`;
    }
    case 'spend':
      return `${formatMoney(history.totalSpentMinor, profile.customer.currency)} spent in total`;
    case 'tenure': {
      const first = history.orderTimes[0] ?? at;
      return `customer for ${plural(Math.floor((at - first) / DAY_MS), 'day')}`;
    }
  }
}

/** Each factor's push on the risk, in the model's own log-odds units. */
function contributions(model: ChurnModelParams, profile: CustomerProfile, at: number): Map<Factor, number> {
  const z = standardize(model, churnFeatures(profile.history, at, profile.gap.days, profile.customer.currency));
  const totals = new Map<Factor, number>();
  FEATURE_NAMES.forEach((name, i) => {
    const factor = FACTOR_OF[name];
    totals.set(factor, (totals.get(factor) ?? 0) + model.weights[i] * z[i]);
  });
  return totals;
}

/**
 * Two or three plain-language reasons, ranked by how much each pushed this customer's risk away from the store's
 * average (prior model: recency and frequency, the two things it reasons from).
 */
export function churnReasons(profile: CustomerProfile, at: number, risk: number): string[] {
  if (profile.lastOrderAt === null) return [];
  if (profile.model === null) return [describe('recency', profile, at), describe('frequency', profile, at)];
  const direction = risk >= profile.model.baseRate ? 1 : -1;
  const ranked = [...contributions(profile.model, profile, at).entries()].sort((a, b) => direction * (b[1] - a[1]));
  const agreeing = ranked.filter(([, c]) => direction * c > 0).slice(0, 3);
  const chosen = agreeing.length >= 2 ? agreeing : ranked.slice(0, 2);
  return chosen.map(([factor]) => describe(factor, profile, at));
}
