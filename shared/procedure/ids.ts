// Stable node ids. A step's id comes from its title, so it survives edits elsewhere in the document;
// nodes inside a step are numbered within that step only.

// Slugs are asked for on every keystroke, mostly for the same few titles and names.
const slugCache = new Map<string, string>();
const SLUG_CACHE_LIMIT = 10_000;

export function slugify(title: string): string {
  const cached = slugCache.get(title);
  if (cached !== undefined) return cached;
  if (slugCache.size >= SLUG_CACHE_LIMIT) slugCache.clear();
  const slug = computeSlug(title);
  slugCache.set(title, slug);
  return slug;
}

function computeSlug(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'untitled';
}

/** Hands out ids, adding `~2`, `~3`… when the same base comes up again. */
export class IdAllocator {
  private readonly seen = new Map<string, number>();

  next(base: string): string {
    const count = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, count);
    return count === 1 ? base : `${base}~${count}`;
  }
}

export const TRIGGER_ID = 'trigger';
export const IMPLICIT_END_ID = 'end';
