import type { ImportError, ImportJob } from './import-jobs';
import type { SandboxProfile } from './types';

/** JSON:API documents shaped like the spec's response schemas, with links to this sandbox's own URL. */

export function profileDocument(base: string, profile: SandboxProfile): object {
  const self = `${base}/api/profiles/${profile.id}/`;
  const related = (name: string) => ({ links: { self: `${self}relationships/${name}/`, related: `${self}${name}/` } });
  return {
    data: {
      type: 'profile',
      id: profile.id,
      attributes: {
        email: profile.email,
        phone_number: profile.phoneNumber,
        external_id: profile.externalId,
        first_name: profile.firstName,
        last_name: profile.lastName,
        organization: profile.organization,
        locale: profile.locale,
        title: profile.title,
        image: profile.image,
        created: profile.created,
        updated: profile.updated,
        last_event_date: profile.lastEventDate,
        location: profile.location,
        properties: profile.properties,
      },
      relationships: { lists: related('lists'), segments: related('segments'), 'push-tokens': related('push-tokens') },
      links: { self },
    },
    links: { self: `${base}/api/profile-import` },
  };
}

function jobResource(base: string, job: ImportJob): object {
  const self = `${base}/api/profile-bulk-import-jobs/${job.id}/`;
  return {
    type: 'profile-bulk-import-job',
    id: job.id,
    attributes: {
      status: job.status,
      created_at: job.createdAt,
      total_count: job.totalCount,
      completed_count: job.completedCount,
      failed_count: job.failedCount,
      completed_at: job.completedAt,
      expires_at: job.expiresAt,
      started_at: job.startedAt,
    },
    relationships: {
      lists: { data: job.listIds.map((id) => ({ type: 'list', id })), links: { self: `${self}relationships/lists/`, related: `${self}lists/` } },
      profiles: { links: { self: `${self}relationships/profiles/`, related: `${self}profiles/` } },
      'import-errors': { links: { related: `${self}import-errors/` } },
    },
    links: { self },
  };
}

export const jobDocument = (base: string, job: ImportJob): object =>
  ({ data: jobResource(base, job), links: { self: `${base}/api/profile-bulk-import-jobs/${job.id}/` } });

export function importErrorsDocument(
  base: string, job: ImportJob, page: readonly ImportError[], nextCursor: string | null, size: number,
): object {
  const self = `${base}/api/profile-bulk-import-jobs/${job.id}/import-errors/`;
  return {
    data: page.map((error) => ({
      type: 'import-error',
      id: error.id,
      attributes: {
        code: error.code,
        title: error.title,
        detail: error.detail,
        source: { pointer: error.pointer },
        original_payload: error.originalPayload,
      },
    })),
    links: {
      self,
      ...(nextCursor === null ? {} : { next: `${self}?page[size]=${size}&page[cursor]=${encodeURIComponent(nextCursor)}` }),
    },
  };
}

export function accountsDocument(base: string, accountId: string): object {
  return {
    data: [{
      type: 'account',
      id: accountId,
      attributes: {
        test_account: true,
        contact_information: {
          default_sender_name: 'shipsignal sandbox',
          default_sender_email: 'sandbox@example.com',
          website_url: 'https://example.com',
          organization_name: 'shipsignal sandbox',
          street_address: { address1: '1 Sandbox Way', address2: null, city: 'Boston', region: 'MA', country: 'US', zip: '02110' },
        },
        industry: 'Retail',
        timezone: 'UTC',
        preferred_currency: 'USD',
        public_api_key: accountId,
        locale: 'en-US',
      },
      links: { self: `${base}/api/accounts/${accountId}/` },
    }],
    links: { self: `${base}/api/accounts/` },
  };
}
