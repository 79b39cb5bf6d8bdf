import type { ShipmentStatus } from '../model/shipment';

/**
 * The demo's simulated week, as data: who does what when, and what each parcel's carrier reports. Times are hours
 * after the week starts (the backfill's clock). Every order and scan here is SYNTHESIZED for the demo (the
 * customers it names are real Olist customers or synthesized ones, labelled so by the cast). Another capability
 * (returns, replenishment) adds its own entries to `DEMO_WEEK` with the same helpers; the runner needs no change.
 */
export type Role = 'first-time' | 'vip' | 'at-risk' | 'lapsing' | 'returning' | 'cancelling' | 'refusing' | 'returner' | 'replenishing';

/** What a scripted return does next, through the Shopify sandbox's returns API (each sends its webhook). */
export type ReturnStep = 'approve' | 'decline' | 'receive' | 'refund' | 'close';

/** One carrier scan: hours after the week starts, status, EasyPost status_detail, message. */
export type Scan = readonly [hours: number, status: ShipmentStatus, detail: string, message: string];

export interface DemoParcelPlan {
  /** Hours after the week starts when the promised delivery day begins (the store's estimate), or null. */
  readonly promisedAtHours: number | null;
  readonly scans: readonly Scan[];
}

/** What a scenario entry may do to the world: the sandbox store and carrier behind the daemon. */
export interface WeekActions {
  /** A new order for a cast member; `ref` names it for later entries. Amount in the store currency (decimal). */
  order(role: Role, ref: string, amount: string, title: string, more?: { amount: string; title: string }): void;
  /** Hands the order to the carrier with a scripted tracking history. */
  ship(ref: string, parcel: DemoParcelPlan): void;
  cancel(ref: string): void;
  /**
   * Two delivered orders in the past for a synthesized cast member, dated so that time alone moves them into
   * at_risk in the middle of the week (the runner finds the dates with the lifecycle rules and this store's stats).
   */
  pastOrdersCrossingAtRisk(role: Role, midWeekHours: number): Promise<void>;
  /** The customer asks to return one item of the order (Shopify's reason handle, e.g. `defective`); the return is named `as` (default: `ref`) for later steps. */
  requestReturn(ref: string, reason: string, line?: number, as?: string): Promise<void>;
  returnStep(ref: string, step: ReturnStep): Promise<void>;
  /** The return label, attached to the return and scanned by the carrier (EasyPost) on its way back. */
  shipReturn(ref: string, scans: readonly Scan[]): Promise<void>;
  /**
   * A small coffee shop's history (seeds/replenishment.ts: four regulars re-buying beans every 30 days, a newcomer
   * with one bag), dated so the newcomer's bag is due at `dueAtHours`.
   */
  coffeeShopHistory(dueAtHours: number): void;
  /** The cast member opens the tracking page link of their newest shipment email, and clicks a block on it if `click`. */
  openTrackingPage(role: Role, click: boolean): Promise<void>;
}

export interface ScenarioEntry {
  readonly atHours: number;
  readonly role: Role;
  /** One line for the timeline the demo prints. */
  readonly label: string;
  readonly act: (world: WeekActions) => void | Promise<void>;
}

/** The hours of the daily syncs (UTC): each sees everything scripted up to it, as the scheduled daemon would. */
export const SYNC_HOURS = [12, 20] as const;
export const WEEK_DAYS = 7;

const day = (d: number, hour: number): number => (d - 1) * 24 + hour;

const label = (d: number, hour: number): Scan => [day(d, hour), 'pre_transit', 'label_created', 'Shipping label created'];
const pickedUp = (d: number, hour: number): Scan => [day(d, hour), 'in_transit', 'received_at_origin_facility', 'Picked up by carrier'];
const arrived = (d: number, hour: number): Scan => [day(d, hour), 'in_transit', 'arrived_at_facility', 'Arrived at facility'];
const departed = (d: number, hour: number): Scan => [day(d, hour), 'in_transit', 'departed_facility', 'Departed facility'];
const outForDelivery = (d: number, hour: number): Scan => [day(d, hour), 'out_for_delivery', 'out_for_delivery', 'Out for delivery'];
const delivered = (d: number, hour: number): Scan => [day(d, hour), 'delivered', 'arrived_at_destination', 'Delivered'];
const returnLabel = (d: number, hour: number): Scan => [day(d, hour), 'pre_transit', 'label_created', 'Return label created'];

export const DEMO_WEEK: readonly ScenarioEntry[] = [
  {
    atHours: day(1, 8), role: 'at-risk', label: 'a repeat customer\'s two past orders arrive from the store; with no new order, time moves them into at_risk mid-week',
    act: (w) => w.pastOrdersCrossingAtRisk('at-risk', day(4, 12)),
  },
  {
    atHours: day(1, 9), role: 'first-time', label: 'first order from a new customer; the parcel stops scanning for three business days, then moves on',
    act: (w) => {
      w.order('first-time', 'first', '149.90', 'Ceramic coffee set');
      w.ship('first', {
        promisedAtHours: day(8, 0),
        // Silent from Monday afternoon: the stalled-in-transit rule (3 business days) fires on Thursday; Friday's scan resolves it.
        scans: [label(1, 10), pickedUp(1, 15), departed(5, 10), arrived(5, 20), outForDelivery(6, 8), delivered(6, 14)],
      });
    },
  },
  {
    atHours: day(1, 11), role: 'cancelling', label: 'a new customer orders, then cancels the next day (first_time → no_purchase), and orders again on day 3 (→ first_time)',
    act: (w) => w.order('cancelling', 'cancelled', '89.00', 'Desk lamp'),
  },
  { atHours: day(2, 10), role: 'cancelling', label: 'the order is cancelled before shipping', act: (w) => w.cancel('cancelled') },
  {
    atHours: day(1, 12), role: 'refusing', label: 'a new customer\'s parcel is refused and returned to the sender',
    act: (w) => {
      w.order('refusing', 'refused', '59.90', 'Phone case');
      w.ship('refused', {
        promisedAtHours: day(6, 0),
        scans: [label(1, 13), pickedUp(1, 17), arrived(2, 9), outForDelivery(3, 8), [day(3, 13), 'return_to_sender', 'return', 'Refused by recipient, returned to sender']],
      });
    },
  },
  {
    atHours: day(2, 9), role: 'vip', label: 'the store\'s top spender orders again (→ vip); the carrier reports an address problem, corrected the next day',
    act: (w) => {
      w.order('vip', 'vip', '1290.00', 'Espresso machine');
      w.ship('vip', {
        promisedAtHours: day(7, 0),
        scans: [label(2, 10), pickedUp(2, 14), [day(3, 11), 'in_transit', 'address_correction', 'Incorrect address: correction requested'], departed(4, 9), outForDelivery(5, 8), delivered(5, 15)],
      });
    },
  },
  {
    atHours: day(3, 9), role: 'returning', label: 'a lapsed one-time customer comes back (→ repeat); the parcel is promised for day 5 and arrives on day 7',
    act: (w) => {
      w.order('returning', 'late', '79.90', 'Bath towels');
      w.ship('late', {
        promisedAtHours: day(5, 0),
        scans: [label(3, 10), pickedUp(3, 16), arrived(4, 10), departed(5, 9), arrived(6, 11), outForDelivery(7, 8), delivered(7, 13)],
      });
    },
  },
  {
    atHours: day(3, 10), role: 'cancelling', label: 'the customer who cancelled orders again; nobody is home, then the parcel waits at a pickup point and is collected',
    act: (w) => {
      w.order('cancelling', 'pickup', '89.00', 'Desk lamp');
      w.ship('pickup', {
        promisedAtHours: day(7, 0),
        scans: [label(3, 11), pickedUp(3, 15), outForDelivery(4, 8), [day(4, 15), 'failure', 'delivery_exception', 'Delivery attempt failed: no one home'], [day(5, 9), 'available_for_pickup', 'arrived_at_pickup_location', 'Available for pickup'], delivered(6, 17)],
      });
    },
  },
  {
    atHours: day(1, 13), role: 'replenishing', label: 'a coffee shop\'s order history arrives (regulars re-buy beans every 30 days; a newcomer bought one bag, due on day 4)',
    act: (w) => w.coffeeShopHistory(day(4, 10)),
  },
  {
    atHours: day(1, 8), role: 'returner', label: 'a new customer orders a vase and a candle holder; the parcel arrives the next day',
    act: (w) => {
      w.order('returner', 'returned', '219.90', 'Ceramic vase', { amount: '39.90', title: 'Candle holder' });
      w.ship('returned', { promisedAtHours: day(3, 0), scans: [label(1, 9), pickedUp(1, 14), outForDelivery(2, 8), delivered(2, 13)] });
    },
  },
  { atHours: day(3, 9), role: 'returner', label: 'the vase arrived broken: a return is requested (promotions held: return_open)', act: (w) => w.requestReturn('returned', 'defective') },
  { atHours: day(3, 11), role: 'returner', label: 'the return is approved', act: (w) => w.returnStep('returned', 'approve') },
  {
    atHours: day(3, 13), role: 'returner', label: 'the return label is attached; the carrier scans it on day 4 and delivers it to the store on day 5',
    act: (w) => w.shipReturn('returned', [returnLabel(3, 14), pickedUp(4, 10), delivered(5, 10)]),
  },
  { atHours: day(5, 14), role: 'returner', label: 'the store receives the vase back', act: (w) => w.returnStep('returned', 'receive') },
  { atHours: day(5, 15), role: 'returner', label: 'and refunds it', act: (w) => w.returnStep('returned', 'refund') },
  { atHours: day(6, 10), role: 'returner', label: 'the return is closed', act: (w) => w.returnStep('returned', 'close') },
  // After delivery: while a delivery issue is open the page shows reassurance and no promotion.
  { atHours: day(6, 9), role: 'vip', label: 'the VIP opens the tracking page link from her delivery email and clicks the early-access block', act: (w) => w.openTrackingPage('vip', true) },
  // While the vase's return is open: Shopify's order-level return status says so, and a polling read sees the decline
  // (a lone declined return leaves the order at NO_RETURN, which a poll alone does not re-read).
  { atHours: day(4, 9), role: 'returner', label: 'she asks to return the candle holder too, as no longer needed', act: (w) => w.requestReturn('returned', 'unwanted', 1, 'candle') },
  { atHours: day(4, 14), role: 'returner', label: 'the store declines that one (final sale)', act: (w) => w.returnStep('candle', 'decline') },
];
