import MarkdownIt from 'markdown-it';

/**
 * Contest rules are Markdown written by organisers and shown to the public: raw HTML is off
 * (written HTML shows as text), links are limited to http(s)/mailto/relative ones and open
 * without handing the portal's window to the other site.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });

const SAFE_LINK = /^(https?:|mailto:|\/(?!\/)|#)/i;
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const href = String(token.attrGet('href') ?? '');
  if (/^https?:/i.test(href)) {
    token.attrSet('rel', 'noopener noreferrer nofollow ugc');
    token.attrSet('target', '_blank');
  }
  return defaultLinkOpen(tokens, idx, options, env, self);
};
// Images in rules would load from anywhere; the CSP blocks them anyway, so show their alt text as a link.
md.disable(['image']);

export function renderRules(markdown: string): string {
  return md.render(markdown ?? '');
}
