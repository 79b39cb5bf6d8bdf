import winston from 'winston';

/**
 * JSON-lines logging with secrets removed twice over: values of secret-named keys are masked, and any registered
 * secret value is replaced wherever it appears in a message or field (an error message quoting a URL with a key),
 * also in the forms it travels in: URL-encoded, and as the HTTP Basic credential EasyPost's client sends.
 */
const SECRET_KEY = /(api[_-]?key|token|secret|password|authorization|signature)/i;
/** Deeper than this a field is not walked but replaced: an unwalked object could carry a secret-named key. */
const MAX_DEPTH = 4;
const MIN_SECRET_LENGTH = 6;
const registeredSecrets = new Set<string>();
/** Longest first, so a secret that contains another is replaced whole. */
let replacements: string[] = [];

/** Registers configured secret values (API keys, webhook secrets) so they never reach a log line. */
export function registerSecrets(values: ReadonlyArray<string | null | undefined>): void {
  for (const value of values) {
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    registeredSecrets.add(value);
    registeredSecrets.add(encodeURIComponent(value));
    // `Authorization: Basic base64("KEY:")`, as EasyPost's client (and any Basic-auth client) sends the key.
    registeredSecrets.add(Buffer.from(`${value}:`).toString('base64'));
  }
  replacements = [...registeredSecrets].sort((a, b) => b.length - a.length);
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of replacements) out = out.split(secret).join('[REDACTED]');
  return out;
}

/** A log field with every secret removed; exported for its unit test. */
export function redactValue(key: string, value: unknown, depth = 0): unknown {
  if (SECRET_KEY.test(key) && value != null && value !== '') return '[REDACTED]';
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[TRUNCATED]';
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
