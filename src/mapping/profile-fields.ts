import type { CustomerAggregate } from '../model/customer';
import type { PropertyValue } from '../model/records';
import { minorDigits } from '../model/money';
import type { LifecycleAssessment } from '../enrichment/lifecycle/types';
import { summarizeReturns } from '../enrichment/returns/summary';
import { affinityLabels } from '../enrichment/products/affinity';
import { memoByValue } from '../util/memo';
import type { ProductSignals, Recommendation } from '../enrichment/products/types';

/**
 * Every value shipsignal can write onto a Klaviyo profile, by field name. `mappings/klaviyo.yaml` says which
 * fields are sent and under which property names; this table says where each value comes from.
 * Dates are ISO 8601 UTC strings (Klaviyo recognises them as dates); amounts are decimal numbers in the store
 * currency, rounded to its minor unit.
 */
export interface ProfileContext {
  readonly customer: CustomerAggregate;
  readonly lifecycle: LifecycleAssessment;
  /** Category affinity, recommendations and the replenishment cycle (src/enrichment/products). */
  readonly products: ProductSignals;
}

type FieldFn = (context: ProfileContext) => PropertyValue;

/**
 * A customer's returns summary, made once per customer value: five fields read it, and each summary walks the
 * customer's orders and returns (customers are immutable values, so the value is a sound key).
 */
const returnsOf = memoByValue((customer: CustomerAggregate) => summarizeReturns(customer));

/**
 * A recommendation's catalogue id and "id | title" label, made once per recommendation value: a step's customers
 * share a few hundred of them (pipeline/product-signals.ts), and two fields of every patch read each one.
 */
const labelsOf = memoByValue((recommendation: Recommendation): { readonly id: string; readonly label: string } => {
  const id = catalogId(recommendation.productId);
  return { id, label: `${id} | ${recommendation.title}` };
});

/**
 * A list's labels, made once per list value: the customers who bought only one product share its affinity and its
 * recommendations (enrichment/products/affinity.ts, pipeline/product-signals.ts), so most patches of a
 * re-assessment reuse a few thousand label lists instead of making one each.
 */
const affinityLabelsOf = memoByValue((affinity: ProductSignals['affinity']) => emptyAsNull(affinityLabels(affinity)));
const recommendationLabelsOf = memoByValue((recommendations: ProductSignals['recommendations']) => emptyAsNull(recommendations.map((r) => labelsOf(r).label)));
const recommendationIdsOf = memoByValue((recommendations: ProductSignals['recommendations']) => emptyAsNull(recommendations.map((r) => labelsOf(r).id)));

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
const amount = (minor: number, currency: string): number => minor / 10 ** minorDigits(currency);

export const PROFILE_FIELDS = {
  'lifecycle.segment': ({ lifecycle }) => lifecycle.segment,
  'lifecycle.rfm_recency': ({ lifecycle }) => lifecycle.rfm.recency,
  'lifecycle.rfm_frequency': ({ lifecycle }) => lifecycle.rfm.frequency,
  'lifecycle.rfm_monetary': ({ lifecycle }) => lifecycle.rfm.monetary,
  'lifecycle.rfm_score': ({ lifecycle }) => `${lifecycle.rfm.recency}${lifecycle.rfm.frequency}${lifecycle.rfm.monetary}`,
  'lifecycle.orders_count': ({ lifecycle }) => lifecycle.ordersCount,
  'lifecycle.total_spent': ({ lifecycle, customer }) => amount(lifecycle.totalSpentMinor, customer.currency),
  'lifecycle.average_order_value': ({ lifecycle, customer }) => amount(lifecycle.averageOrderValueMinor, customer.currency),
  'lifecycle.currency': ({ customer }) => customer.currency,
  'lifecycle.first_order_at': ({ lifecycle }) => iso(lifecycle.firstOrderAt),
  'lifecycle.last_order_at': ({ lifecycle }) => iso(lifecycle.lastOrderAt),
  'lifecycle.usual_gap_days': ({ lifecycle }) => roundOrNull(lifecycle.usualGapDays, 1),
  'lifecycle.churn_risk': ({ lifecycle }) => roundOrNull(lifecycle.churnRisk, 3),
  'lifecycle.churn_risk_reasons': ({ lifecycle }) => [...lifecycle.churnRiskReasons],
  'lifecycle.expected_next_order_at': ({ lifecycle }) => iso(lifecycle.expectedNextOrderAt),
  // Returns (enrichment/returns/summary.ts): the same patch, so a return and the spend it reduced arrive together.
  'returns.open': ({ customer }) => returnsOf(customer).open,
  'returns.count': ({ customer }) => returnsOf(customer).count,
  'returns.rate': ({ customer }) => returnsOf(customer).rate,
  'returns.last_reason': ({ customer }) => returnsOf(customer).lastReason,
  'returns.last_at': ({ customer }) => returnsOf(customer).lastAt,
  'products.top_category': ({ products }) => products.topCategory,
  // Only top-level non-object properties can be used in Klaviyo segments: text, "category 62%".
  'products.category_affinity': ({ products }) => affinityLabelsOf(products.affinity),
  // "product id | title": the id for a catalogue lookup, the title for the email.
  'products.recommended_products': ({ products }) => recommendationLabelsOf(products.recommendations),
  'products.recommended_product_ids': ({ products }) => recommendationIdsOf(products.recommendations),
  'products.next_replenishment_at': ({ products }) => iso(products.replenishment?.dueAt ?? null),
  'products.replenishment_product': ({ products }) => products.replenishment?.title ?? null,
  'products.replenishment_product_id': ({ products }) => (products.replenishment ? catalogId(products.replenishment.productId) : null),
} satisfies Record<string, FieldFn>;

export type ProfileFieldName = keyof typeof PROFILE_FIELDS;
export const PROFILE_FIELD_NAMES = Object.keys(PROFILE_FIELDS) as [ProfileFieldName, ...ProfileFieldName[]];

/**
 * A product id as catalogues key it: the numeric tail of a GraphQL global id (`gid://<app>/Product/123` → `123`, the
 * id ESP catalogues synced from the store use), any other id unchanged.
 */
export function catalogId(productId: string): string {
  // gid://<host>/<type>/<id>, read without a regular expression's match array: five per customer per patch.
  if (!productId.startsWith('gid://')) return productId;
  const type = productId.indexOf('/', 6);
  const id = type > 6 ? productId.indexOf('/', type + 1) : -1;
  if (id <= type + 1 || id === productId.length - 1) return productId;
  const rest = productId.slice(id + 1);
  return LINE_TERMINATOR.test(rest) ? productId : rest;
}
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/** An empty list is "no value now": the property is removed rather than kept as []. */
const emptyAsNull = (values: readonly string[]): readonly string[] | null => (values.length > 0 ? values : null);

function roundOrNull(value: number | null, digits: number): number | null {
  return value === null ? null : Number(value.toFixed(digits));
}
