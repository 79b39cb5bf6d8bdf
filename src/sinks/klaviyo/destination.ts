import { AccountsApi, ApiKeySession, RetryWithExponentialBackoff } from 'klaviyo-api';
import type { Destination } from '../destination';
import { DOCUMENTED_PAYLOAD_LIMITS } from './limits';
import { KlaviyoSink, type KlaviyoSinkOptions } from './sink';

/** Klaviyo's account read, the cheapest call proving the key; a 401/403 names the scopes the key needs. */
export async function checkKlaviyoAccount(apiKey: string, baseUrl: string): Promise<{ detail: string }> {
  const accounts = new AccountsApi(new ApiKeySession(apiKey, new RetryWithExponentialBackoff({ numRetries: 1 })));
  accounts.basePath = baseUrl;
  try {
    const result = await accounts.getAccounts();
    return { detail: `account ${result.body.data[0]?.id ?? '(none)'}` };
  } catch (error) {
    const status = (error as { response?: { status?: number } }).response?.status;
    throw new Error(status ? `Klaviyo answered ${status}${status === 401 || status === 403 ? ': check the key and its scopes (events:write, profiles:write, accounts:read)' : ''}` : (error as Error).message);
  }
}

/** Klaviyo as the destination: the sink's batching, pacing and bulk jobs behind the port. */
export function klaviyoDestination(options: KlaviyoSinkOptions): Destination {
  const sink = new KlaviyoSink(options);
  return {
    name: 'klaviyo',
    deliver: (records) => sink.deliver(records),
    settleJobs: () => sink.settleJobs(),
    pendingJobs: () => sink.pendingJobs(),
    requestSizes: {
      events: options.payload?.maxEventsPerBulk ?? DOCUMENTED_PAYLOAD_LIMITS.maxEventsPerBulk,
      profiles: options.payload?.maxProfilesPerBulk ?? DOCUMENTED_PAYLOAD_LIMITS.maxProfilesPerBulk,
    },
    check: () => checkKlaviyoAccount(options.apiKey, options.baseUrl),
    close: () => sink.close(),
  };
}
