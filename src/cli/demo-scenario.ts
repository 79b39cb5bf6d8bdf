import type { ShipmentStatus } from '../model/shipment';

/**
 * The demo's simulated week, as data: who does what when, and what each parcel's carrier reports. Times are hours
 * after the week starts (the backfill's clock). Every order and scan here is SYNTHESIZED for the demo (the
 * customers it names are real Olist customers or synthesized ones, labelled so by the cast). Another capability
 * (returns, replenishment) adds its own entries to `DEMO_WEEK` with the same helpers; the runner needs no change.
 */
export type Role = 'first-time' | 'vip' | 'at-risk' | 'lapsing' | 'returning' | 'cancelling' | 'refusing';

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
  order(role: Role, ref: string, amount: string, title: string): void;
  /** Hands the order to the carrier with a scripted tracking history. */
  ship(ref: string, parcel: DemoParcelPlan): void;
  cancel(ref: string): void;
  /**
   * Two delivered orders in the past for a synthesized cast member, dated so that time alone moves them into
   * at_risk in the middle of the week (the runner finds the dates with the lifecycle rules and this store's stats).
   */
  pastOrdersCrossingAtRisk(role: Role, midWeekHours: number): Promise<void>;
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
];
