import { parseArgs } from 'node:util';
import { createUser } from '../accounts/service';
import { createUserSchema } from '../accounts/schemas';
import { SYSTEM_ACTOR } from '../audit/service';
import { translate } from '../i18n';
import { fieldErrorsOf } from '../http/validate';
import { AppError } from '../http/errors';
import { askHidden, fail, run, withTaskDb } from './common';

const USAGE = 'usage: npm run user:create -- --email E --role admin|organiser|judge [--name N] [--organisation O] [--password P]';

run(async () => {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      organisation: { type: 'string' },
      password: { type: 'string' },
    },
  });
  if (!values.email || !values.role) fail(USAGE, 2);
  const password = values.password ?? (process.stdin.isTTY ? await askHidden('Password (8–128 characters): ') : fail('--password is required when not run in a terminal', 2));
  const parsed = createUserSchema.safeParse({
    email: values.email,
    role: values.role,
    name: values.name ?? values.email.split('@')[0],
    organisation: values.organisation,
    password,
  });
  if (!parsed.success) {
    const errs = fieldErrorsOf(parsed.error);
    fail(Object.entries(errs).map(([f, m]) => `${f}: ${translate('en', m)}`).join('\n'), 2);
  }
  await withTaskDb(async (db) => {
    try {
      const user = await createUser(db.pool, parsed.data, { ...SYSTEM_ACTOR, label: 'cli' });
      console.log(`Created ${user.role} ${user.email} (id ${user.id}).`);
    } catch (err) {
      if (err instanceof AppError) fail(translate('en', err.messageKey), 1);
      throw err;
    }
  });
});
