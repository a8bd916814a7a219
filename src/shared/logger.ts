import pino from 'pino';

export type Logger = pino.Logger;

/** Personal data and secrets never reach the logs, whatever a handler passes. */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.email',
  '*.phone',
  '*.nationalId',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } });
}
