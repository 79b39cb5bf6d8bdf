import winston from 'winston';

/**
 * JSON-lines logging with secrets removed twice over: values of secret-named keys are masked, and any registered
 * secret value is replaced wherever it appears in a message or field (an error message quoting a URL with a key).
 */
const SECRET_KEY = /(api[_-]?key|token|secret|password|authorization|signature)/i;
const registeredSecrets = new Set<string>();

/** Registers configured secret values (API keys, webhook secrets) so they never reach a log line. */
export function registerSecrets(values: ReadonlyArray<string | null | undefined>): void {
  for (const value of values) if (value && value.length >= 6) registeredSecrets.add(value);
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of registeredSecrets) out = out.split(secret).join('[REDACTED]');
  return out;
}

function redactValue(key: string, value: unknown, depth: number): unknown {
  if (SECRET_KEY.test(key) && value != null && value !== '') return '[REDACTED]';
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue('', item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(k, v, depth + 1)]));
}

const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    (info as Record<string, unknown>)[key] = redactValue(key, (info as Record<string, unknown>)[key], 0);
  }
  return info;
});

export type Logger = winston.Logger;

export function createLogger(level: string, stream: NodeJS.WritableStream = process.stdout): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), redact(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream })],
  });
}
