/**
 * Request bodies as they travel (snake_case), for the operations the sandbox serves. They mirror the spec schemas;
 * a body only gets one of these types after the compiled schema has accepted it.
 */
export type JsonMap = { [key: string]: unknown };

export interface WireLocation {
  readonly address1?: string | null;
  readonly address2?: string | null;
  readonly city?: string | null;
  readonly country?: string | null;
  readonly latitude?: string | number | null;
  readonly longitude?: string | number | null;
  readonly region?: string | null;
  readonly zip?: string | null;
  readonly timezone?: string | null;
  readonly ip?: string | null;
}

export interface WirePatchProperties {
  readonly append?: JsonMap | null;
  readonly unappend?: JsonMap | null;
  readonly unset?: string | readonly string[] | null;
}

export interface WireProfileMeta {
  readonly patch_properties?: WirePatchProperties | null;
  readonly patch_identifiers?: JsonMap | null;
}

export interface WireProfileAttributes {
  readonly email?: string | null;
  readonly phone_number?: string | null;
  readonly external_id?: string | null;
  readonly anonymous_id?: string | null;
  readonly _kx?: string | null;
  readonly first_name?: string | null;
  readonly last_name?: string | null;
  readonly organization?: string | null;
  readonly locale?: string | null;
  readonly title?: string | null;
  readonly image?: string | null;
  readonly location?: WireLocation | null;
  readonly properties?: JsonMap | null;
  /** Create Event carries the profile's meta inside attributes; the other operations next to them. */
  readonly meta?: WireProfileMeta | null;
}

export interface WireProfile {
  readonly type: 'profile';
  readonly id?: string | null;
  readonly attributes: WireProfileAttributes;
  readonly meta?: WireProfileMeta | null;
}

export interface WireMetric {
  readonly data: { readonly type: 'metric'; readonly attributes: { readonly name: string; readonly service?: string | null } };
}

export interface WireEventAttributes {
  readonly properties: JsonMap;
  readonly time?: string | null;
  readonly value?: number | null;
  readonly value_currency?: string | null;
  readonly unique_id?: string | null;
  readonly backfill?: boolean | null;
  readonly metric: WireMetric;
}

export interface CreateEventBody {
  readonly data: {
    readonly type: 'event';
    readonly attributes: WireEventAttributes & { readonly profile: { readonly data: WireProfile } };
  };
}

export interface WireBulkEventEntry {
  readonly type: 'event-bulk-create';
  readonly attributes: {
    readonly backfill?: boolean | null;
    readonly profile: { readonly data: WireProfile };
    readonly events: { readonly data: readonly { readonly type: 'event'; readonly attributes: WireEventAttributes }[] };
  };
}

export interface BulkCreateEventsBody {
  readonly data: {
    readonly type: 'event-bulk-create-job';
    readonly attributes: { readonly 'events-bulk-create': { readonly data: readonly WireBulkEventEntry[] } };
  };
}

export interface ProfileUpsertBody {
  readonly data: WireProfile;
}

export interface BulkImportProfilesBody {
  readonly data: {
    readonly type: 'profile-bulk-import-job';
    readonly attributes: { readonly profiles: { readonly data: readonly WireProfile[] } };
    readonly relationships?: { readonly lists?: { readonly data?: readonly { readonly type: 'list'; readonly id: string }[] } };
  };
}
