import type { BusinessCalendar } from './business-time';
import type { DeliveryConfig } from './config';

/** The destination's business calendar: the region's zone when listed, else the country's, else the default. */
export function destinationCalendar(
  config: Pick<DeliveryConfig, 'timeZones'>,
  country: string | null,
  region: string | null,
): BusinessCalendar {
  const cc = country?.toUpperCase() ?? null;
  const zones = config.timeZones;
  const byRegion = cc && region ? zones.byRegion[`${cc}-${region.toUpperCase()}`] : undefined;
  return { zone: byRegion ?? (cc ? zones.byCountry[cc] : undefined) ?? zones.default, country: cc };
}
