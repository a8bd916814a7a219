/**
 * A URL slug from a title: Vietnamese diacritics folded ("Thời khắc khó quên" → thoi-khac-kho-quen),
 * đ/Đ → d (NFD does not decompose it), anything else non-alphanumeric becomes one hyphen.
 */
export function foldSlug(title: string, maxLength = 80): string {
  const folded = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return folded.slice(0, maxLength).replace(/-+$/g, '');
}

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
