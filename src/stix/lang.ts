/**
 * Well-formedness of RFC 5646 language tags (§2.1 syntax), which STIX 2.1 requires for `lang`
 * (§3.2), granular-marking `lang` (§7.2.3) and the keys of language-content `contents` (§7.1).
 * Whether a subtag is registered with IANA is not checked: that needs the registry, and a
 * well-formed but unregistered tag does not break a consumer's parser.
 * Written as a walk over the subtags instead of one large regular expression, to stay linear.
 */

const GRANDFATHERED = new Set([
  'en-gb-oed',
  'i-ami',
  'i-bnn',
  'i-default',
  'i-enochian',
  'i-hak',
  'i-klingon',
  'i-lux',
  'i-mingo',
  'i-navajo',
  'i-pwn',
  'i-tao',
  'i-tay',
  'i-tsu',
  'sgn-be-fr',
  'sgn-be-nl',
  'sgn-ch-de',
]);

function isAlpha(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) return false;
  }
  return true;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isAlphanum(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const lower = c | 0x20;
    if (!((c >= 48 && c <= 57) || (lower >= 97 && lower <= 122))) return false;
  }
  return true;
}

function isPrivateUse(parts: string[], from: number): boolean {
  if (from >= parts.length - 1) return false;
  for (let i = from + 1; i < parts.length; i++) {
    const p = parts[i] as string;
    if (p.length < 1 || p.length > 8 || !isAlphanum(p)) return false;
  }
  return true;
}

export function isLanguageTag(tag: string): boolean {
  // The longest well-formed tags are far below this; the cap keeps the work bounded.
  if (tag.length === 0 || tag.length > 256) return false;
  const lower = tag.toLowerCase();
  if (GRANDFATHERED.has(lower)) return true;
  const parts = lower.split('-');
  if (parts[0] === 'x') return isPrivateUse(parts, 0);

  let i = 0;
  const language = parts[i] as string;
  if (!isAlpha(language) || language.length < 2 || language.length > 8) return false;
  i++;
  if (language.length <= 3) {
    for (let ext = 0; ext < 3 && i < parts.length && (parts[i] as string).length === 3 && isAlpha(parts[i] as string); ext++) i++;
  }
  if (i < parts.length && (parts[i] as string).length === 4 && isAlpha(parts[i] as string)) i++;
  if (i < parts.length) {
    const p = parts[i] as string;
    if ((p.length === 2 && isAlpha(p)) || (p.length === 3 && isDigits(p))) i++;
  }
  const variants = new Set<string>();
  while (i < parts.length) {
    const p = parts[i] as string;
    const isVariant = isAlphanum(p) && ((p.length >= 5 && p.length <= 8) || (p.length === 4 && isDigits(p[0] as string)));
    if (!isVariant) break;
    if (variants.has(p)) return false;
    variants.add(p);
    i++;
  }
  const singletons = new Set<string>();
  while (i < parts.length) {
    const singleton = parts[i] as string;
    if (singleton === 'x') return isPrivateUse(parts, i);
    if (singleton.length !== 1 || !isAlphanum(singleton) || singletons.has(singleton)) return false;
    singletons.add(singleton);
    i++;
    const start = i;
    while (i < parts.length && (parts[i] as string).length >= 2 && (parts[i] as string).length <= 8 && isAlphanum(parts[i] as string)) i++;
    if (i === start) return false;
  }
  return true;
}
