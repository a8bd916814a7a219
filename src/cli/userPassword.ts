import { parseArgs } from 'node:util';
import { setPassword } from '../accounts/service';
import { emailSchema, passwordSchema } from '../accounts/schemas';
import { SYSTEM_ACTOR } from '../audit/service';
import { AppError } from '../http/errors';
import { translate } from '../i18n';
import { askHidden, fail, run, withTaskDb } from './common';

run(async () => {
  const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' } } });
  const email = emailSchema.safeParse(values.email ?? '');
  if (!email.success) fail('usage: npm run user:password -- --email E [--password P]', 2);
  const password = values.password ?? (process.stdin.isTTY ? await askHidden('New password (8–128 characters): ') : fail('--password is required when not run in a terminal', 2));
  const pw = passwordSchema.safeParse(password);
  if (!pw.success) fail(translate('en', pw.error.issues[0]?.message ?? 'form.invalid'), 2);
  await withTaskDb(async (db) => {
    try {
      await setPassword(db.pool, email.data, pw.data, { ...SYSTEM_ACTOR, label: 'cli' });
      console.log(`Password changed for ${email.data}; their sessions were ended.`);
    } catch (err) {
      if (err instanceof AppError) fail(err.code === 'user_not_found' ? `No account with the email ${email.data}.` : err.code);
      throw err;
    }
  });
});
