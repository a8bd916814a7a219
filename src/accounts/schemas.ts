import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN } from './password';
import { ROLES } from './queries';

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'form.required')
  .max(254, 'email.invalid')
  .pipe(z.email('email.invalid'));

/** Length counted in characters, never truncated: argon2 sees every one of them. */
export const passwordSchema = z.string().min(PASSWORD_MIN, 'password.tooShort').max(PASSWORD_MAX, 'password.tooLong');

export const roleSchema = z.enum(ROLES as [string, ...string[]], 'form.invalid').transform((r) => r as (typeof ROLES)[number]);

export const loginSchema = z.object({
  email: z.string().trim().toLowerCase().max(254),
  password: z.string().max(1024),
  next: z.string().max(2000).optional(),
});

export const createUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().normalize('NFC').min(1, 'form.required').max(120, 'form.invalid'),
  role: roleSchema,
  password: passwordSchema,
  organisation: z
    .string()
    .trim()
    .max(200, 'form.invalid')
    .optional()
    .transform((v) => (v ? v : null)),
});

export const changeRoleSchema = z.object({ role: roleSchema });

export type CreateUserInput = z.infer<typeof createUserSchema>;
