import type { Request, Response } from 'express';

/**
 * Renders a view inside the layout. Views get `t`, `lang`, `user`, `csrfToken` and the format
 * helpers from res.locals; `title` names the page.
 */
export function render(res: Response, view: string, locals: Record<string, unknown> = {}, status = 200): Promise<void> {
  return new Promise((resolve, reject) => {
    res.render(view, locals, (err: Error | null, body?: string) => {
      if (err) return reject(err);
      res.render('layout', { ...locals, body }, (err2: Error | null, html?: string) => {
        if (err2) return reject(err2);
        res.status(status).type('html').send(html);
        resolve();
      });
    });
  });
}

/** A message shown once on the next page the user sees (usually after a redirect). */
export function flash(req: Request, kind: 'success' | 'error' | 'info', text: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { kind, text }];
}

/**
 * Redirects after the session is written. express-session saves at the end of the response, but
 * a browser that follows the redirect fast can read the session before that save lands; saving
 * first keeps the flash message for the next page.
 */
export function redirectAfterSave(req: Request, res: Response, url: string): void {
  if (!req.session) return res.redirect(303, url);
  req.session.save(() => res.redirect(303, url));
}
