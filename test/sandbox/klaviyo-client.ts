import {
  AccountsApi, ApiKeySession, EventsApi, ObjectSerializer, ProfilesApi, RetryWithExponentialBackoff,
} from 'klaviyo-api';
import type { EventsBulkCreateJob } from 'klaviyo-api';
import type { KlaviyoSandbox } from '../../src/sandbox/klaviyo';

/** The official SDK pointed at a sandbox; `numRetries` is total attempts (1 = no retry), as in klaviyo-api 23. */
export function sdkFor(sandbox: KlaviyoSandbox, options: { apiKey?: string; numRetries?: number } = {}) {
  const session = new ApiKeySession(
    options.apiKey ?? sandbox.apiKey,
    new RetryWithExponentialBackoff({ numRetries: options.numRetries ?? 1 }),
  );
  const events = new EventsApi(session);
  const profiles = new ProfilesApi(session);
  const accounts = new AccountsApi(session);
  for (const api of [events, profiles, accounts]) api.basePath = sandbox.url;
  return { events, profiles, accounts };
}

/** The SDK's `{ response: { status, data } }` failure, whatever threw it. */
export interface HttpFailure {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly errors: { status: number; code: string; detail: string; source?: { pointer?: string }; meta?: Record<string, unknown> }[];
}

export async function failure(promise: Promise<unknown>): Promise<HttpFailure> {
  try {
    await promise;
  } catch (err) {
    const response = (err as { response?: { status: number; headers: Record<string, string>; data: unknown } }).response;
    if (!response) throw err;
    const data = response.data as { errors?: HttpFailure['errors'] } | string;
    return { status: response.status, headers: response.headers, errors: typeof data === 'object' ? data.errors ?? [] : [] };
  }
  throw new Error('expected the request to fail');
}

/**
 * klaviyo-api 23 throws before sending any `patchProperties.unset` (issue #119: the oneOf type list holds the
 * HTML-escaped "Array&lt;string&gt;"). Passing the value through untouched is the verified workaround.
 */
export function patchUnsetSerializer(): () => void {
  const original = ObjectSerializer.serialize;
  ObjectSerializer.serialize = function serialize(data: unknown, type: string) {
    return type === 'ProfileMetaPatchPropertiesUnset' ? data : original.call(this, data, type);
  };
  return () => {
    ObjectSerializer.serialize = original;
  };
}

/** One profile's bulk event job of `Placed Order` events, one per properties object (unique ids `<email>-<i>`). */
export const placedOrderJob = (email: string, properties: ReadonlyArray<Record<string, unknown>>): EventsBulkCreateJob => ({
  data: {
    type: 'event-bulk-create-job',
    attributes: {
      eventsBulkCreate: {
        data: [{
          type: 'event-bulk-create',
          attributes: {
            profile: { data: { type: 'profile', attributes: { email } } },
            events: { data: properties.map((p, i) => ({ type: 'event', attributes: { metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } }, properties: p, uniqueId: `${email}-${i}` } })) },
          },
        }],
      },
    },
  },
});
