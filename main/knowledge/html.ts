// HTML help articles to readable text with Markdown touches (headings, lists, links). Not a full
// HTML parser: enough for exported help-centre pages; scripts, styles and comments are dropped.

export interface ConvertedHtml {
  title: string | null;
  text: string;
  canonicalUrl: string | null;
  keywords: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“', copy: '©' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? decodeEntities(match[2] ?? match[3] ?? match[4] ?? '') : null;
}

export function htmlToText(html: string): ConvertedHtml {
  const withoutNoise = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, '');
  const titleMatch = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(withoutNoise);
  const h1Match = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(withoutNoise);
  const clean = (fragment: string) => decodeEntities(fragment.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim();
  const title = (titleMatch && clean(titleMatch[1]!)) || (h1Match && clean(h1Match[1]!)) || null;
  const canonical = /<link\b[^>]*rel\s*=\s*["']?canonical[^>]*>/i.exec(withoutNoise);
  const keywords = /<meta\b[^>]*name\s*=\s*["']?keywords[^>]*>/i.exec(withoutNoise);
  const bodyMatch = /<body\b[^>]*>([\s\S]*)<\/body>/i.exec(withoutNoise);
  let body = (bodyMatch ? bodyMatch[1]! : withoutNoise).replace(/<head\b[\s\S]*?<\/head>/i, '');
  body = body
    .replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/gi, (_, level: string, inner: string) => `\n\n${'#'.repeat(Number(level))} ${clean(inner)}\n\n`)
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi, (_, attributes: string, inner: string) => {
      const href = attribute(`<a ${attributes}>`, 'href');
      const label = clean(inner);
      return href && /^https?:/.test(href) ? `[${label}](${href})` : label;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/?(p|div|section|article|ul|ol|table|tr|blockquote|pre|header|footer|main|nav)\b[^>]*>/gi, '\n\n')
    .replace(/<\/(td|th)>/gi, ' ')
    .replace(/<[^>]+>/g, '');
  const text = decodeEntities(body)
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const canonicalUrl = canonical ? attribute(canonical[0], 'href') : null;
  return {
    title,
    text: title && text.startsWith(`# ${title}`) ? text.slice(title.length + 2).trim() : text,
    canonicalUrl: canonicalUrl && /^https?:\/\//.test(canonicalUrl) ? canonicalUrl : null,
    keywords: keywords ? (attribute(keywords[0], 'content') ?? '').split(',').map((keyword) => keyword.trim()).filter(Boolean) : [],
  };
}
