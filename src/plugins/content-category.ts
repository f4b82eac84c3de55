// The MIME category of a content type, as Qtap's Request events carry it (`category`: "app" for
// application/json): the top-level type, with "application" shortened to "app". Used by report_usage and by
// detect_errors' onlyCategories.

const CATEGORIES: Readonly<Record<string, string>> = {
  application: 'app',
  text: 'text',
  image: 'image',
  audio: 'audio',
  video: 'video',
  font: 'font',
  multipart: 'multipart',
  message: 'message',
  model: 'model',
};

/** "app", "text", "image", ...; "other" for an empty or unknown type. */
export function contentCategory(contentType: string): string {
  const slash = contentType.indexOf('/');
  if (slash <= 0) return 'other';
  return CATEGORIES[contentType.slice(0, slash).trim().toLowerCase()] ?? 'other';
}
