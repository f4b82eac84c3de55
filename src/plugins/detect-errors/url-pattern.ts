// detect_errors' onlyUrls / excludeUrls entries: with a `*`, a glob over the whole URL (`*` = any characters,
// slashes included: "https://api.example.com/v1/*"); without, a substring ("/health"). Case-sensitive, as paths
// are.

export type UrlPattern = (url: string) => boolean;

export function compileUrlPattern(pattern: string): UrlPattern {
  if (!pattern.includes('*')) return (url) => url.includes(pattern);
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const re = new RegExp(`^${source}$`, 's');
  return (url) => re.test(url);
}
