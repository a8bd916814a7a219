/**
 * The typed errors a service or handler may throw. Each has an HTTP status, a stable code for
 * the JSON API, and a message key for the HTML page; the one error handler turns them into answers.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageKey: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
    this.name = 'AppError';
  }
}

export class NotFoundError extends AppError {
  constructor(code = 'not_found') {
    super(404, code, 'error.404');
  }
}

export class ForbiddenError extends AppError {
  constructor(code = 'forbidden', messageKey = 'error.403') {
    super(403, code, messageKey);
  }
}

/** Not signed in: HTML requests are sent to the login page, API requests get 401. */
export class UnauthenticatedError extends AppError {
  constructor() {
    super(401, 'unauthenticated', 'error.403');
  }
}

export type FieldErrors = Record<string, string>;

/** A form or body that did not validate: field → message key (or already translated text). */
export class ValidationError extends AppError {
  constructor(readonly fieldErrors: FieldErrors) {
    super(422, 'validation_failed', 'error.422');
  }
}

export class ConflictError extends AppError {
  constructor(code: string, messageKey: string, params: Record<string, string | number> = {}) {
    super(409, code, messageKey, params);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(readonly retryAfterSeconds: number, messageKey = 'error.429') {
    super(429, 'too_many_requests', messageKey, { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(messageKey = 'error.413', params: Record<string, string | number> = {}) {
    super(413, 'payload_too_large', messageKey, params);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(messageKey = 'error.415') {
    super(415, 'unsupported_media_type', messageKey);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor() {
    super(503, 'service_unavailable', 'error.503');
  }
}
