import path from 'node:path';
import { z } from 'zod';

/**
 * The environment, parsed once. Every bad key is reported together so that an operator fixes
 * them in one go instead of one restart per mistake.
 */
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(0, 65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z.url().optional(),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
    DATABASE_POOL_MAX: int(1, 200).default(10),
    DATABASE_CONNECT_TIMEOUT_MS: int(100, 60000).default(5000),
    DATA_DIR: z.string().min(1).default('./data'),
    UPLOAD_DIR: z.string().min(1).default('./uploads'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_IDLE_MINUTES: int(1, 7 * 24 * 60).default(120),
    SESSION_ABSOLUTE_HOURS: int(1, 24 * 30).default(12),
    TRUST_PROXY: z.string().default('0'),
    SHUTDOWN_TIMEOUT_MS: int(0, 120000).default(10000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DEFAULT_TIME_ZONE: z.string().default('Asia/Ho_Chi_Minh'),
    LOGIN_MAX_FAILURES: int(1, 1000).default(5),
    LOGIN_WINDOW_MINUTES: int(1, 24 * 60).default(15),
    RATE_LIMITS: bool.default(true),
    SUBMIT_LIMIT_PER_IP_PER_HOUR: int(1, 1_000_000).default(30),
    SUBMIT_LIMIT_PER_ENTRANT_PER_HOUR: int(1, 1_000_000).default(10),
    LOOKUP_LIMIT_PER_IP_PER_HOUR: int(1, 1_000_000).default(60),
    SIGN_IN_LINK_LIMIT_PER_EMAIL_PER_HOUR: int(1, 1_000_000).default(5),
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
    MAIL_FROM: z.string().default('Clipjury <no-reply@clipjury.local>'),
    TIKTOK_NETWORK: bool.default(true),
    TIKTOK_TIMEOUT_MS: int(100, 10000).default(2500),
    MAX_UPLOAD_MB: int(1, 10_000).default(500),
    BACKGROUND_JOBS: bool.default(true),
  });

/** Checks that need more than one key, or a lookup; run even when other keys failed. */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) problems.push('SESSION_SECRET: is required when NODE_ENV=production');
  if (env.DEFAULT_TIME_ZONE) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: env.DEFAULT_TIME_ZONE });
    } catch {
      problems.push('DEFAULT_TIME_ZONE: is not an IANA time zone');
    }
  }
  return problems;
}

export type Config = Readonly<
  Omit<z.infer<typeof envSchema>, 'TRUST_PROXY'> & {
    TRUST_PROXY: boolean | number | string;
    dataDir: string;
    uploadDir: string;
  }
>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function parseTrustProxy(raw: string): boolean | number | string {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in .env files mean "not set", not "set to nothing".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
    ...crossChecks(cleaned),
  ];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const c = parsed.data;
  return Object.freeze({
    ...c,
    TRUST_PROXY: parseTrustProxy(c.TRUST_PROXY),
    dataDir: path.resolve(c.DATA_DIR),
    uploadDir: path.resolve(c.UPLOAD_DIR),
  });
}
