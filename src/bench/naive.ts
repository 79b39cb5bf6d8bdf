import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { ApiKeySession, EventsApi, ProfilesApi, RetryWithExponentialBackoff } from 'klaviyo-api';
import type { SandboxEvent, SandboxProfile } from '../sandbox/klaviyo';
import type { KlaviyoSample } from './protocol';

/** The SDK's own session with its own retry on 429, pointed at the sandbox instead of a.klaviyo.com. */
class RebasedSession extends ApiKeySession {
  constructor(apiKey: string, private readonly baseUrl: string) {
    // Generous retries so the baseline finishes: its cost shows as time and 429s, not as lost records.
    super(apiKey, new RetryWithExponentialBackoff({ numRetries: 50 }));
  }

  override requestWithRetry(config: AxiosRequestConfig): Promise<AxiosResponse> {
    const url = new URL(config.url ?? '/', this.baseUrl);
    return super.requestWithRetry({ ...config, url: new URL(url.pathname + url.search, this.baseUrl).toString() });
  }
}

export interface NaiveRun {
  readonly changes: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

function eventBody(event: SandboxEvent) {
  return {
    data: {
      type: 'event' as const,
      attributes: {
        metric: { data: { type: 'metric' as const, attributes: { name: event.metric } } },
        properties: { ...event.properties },
        time: new Date(event.time),
        ...(event.uniqueId !== null ? { uniqueId: event.uniqueId } : {}),
        ...(event.value !== null ? { value: event.value } : {}),
        ...(event.valueCurrency !== null ? { valueCurrency: event.valueCurrency } : {}),
        profile: { data: { type: 'profile' as const, attributes: { ...(event.profile.email ? { email: event.profile.email } : {}) } } },
      },
    },
  };
}

function profileBody(profile: SandboxProfile) {
  return {
    data: {
      type: 'profile' as const,
      attributes: {
        ...(profile.email ? { email: profile.email } : {}),
        ...(profile.phoneNumber ? { phoneNumber: profile.phoneNumber } : {}),
        ...(profile.firstName ? { firstName: profile.firstName } : {}),
        ...(profile.lastName ? { lastName: profile.lastName } : {}),
        properties: { ...profile.properties },
      },
    },
  };
}

/**
 * What an integration without batching or pacing does: for each change, one `createEvent` and one
 * `createOrUpdateProfile`, awaited in turn, with the SDK's built-in retry as the only answer to 429s. The sample is
 * the same events and profiles shipsignal delivered, so payloads match.
 */
export async function runNaive(sample: KlaviyoSample, apiKey: string, baseUrl: string): Promise<NaiveRun> {
  const session = new RebasedSession(apiKey, baseUrl);
  const events = new EventsApi(session);
  const profiles = new ProfilesApi(session);
  const pairs = Math.max(sample.events.length, sample.profiles.length);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < pairs; i++) {
    const event = sample.events[i];
    const profile = sample.profiles[i];
    if (event) await events.createEvent(eventBody(event));
    if (profile) await profiles.createOrUpdateProfile(profileBody(profile));
  }
  const used = process.cpuUsage(cpu);
  return {
    changes: sample.events.length + sample.profiles.length,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}
