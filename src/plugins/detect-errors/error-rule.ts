// One detect_errors rule from its config (keys in camelCase or snake_case):
//   name; triggers — triggerStatusCodes ([]string: "5xx", "404"), triggerEmptyBody (bool), triggerDuration (Go
//   duration: a transaction taking at least this long), triggerContains (text in the response body);
//   filters — onlyUrls, excludeUrls (url-pattern.ts), onlyCategories (content-category.ts of the response's
//   content type, else the request's); recordReqHeaders, recordReqBody, recordResHeaders, recordResBody (bool:
//   artifacts to the object store); reportAsIssue (bool, default true); continue (bool, default false).
// The rule matches when ANY of its triggers fires; every trigger that fired is reported. `withTags` is read but
// not applied: cleartap transactions carry no tags yet.

import { readBool, readString, readStringList, type ConfigObject } from '../config-readers.ts';
import { parseGoDuration } from './go-duration.ts';
import { compileStatusPattern, type StatusPattern } from './status-pattern.ts';
import { compileUrlPattern, type UrlPattern } from './url-pattern.ts';

export interface ErrorRule {
  name: string;
  statusCodes: ReadonlyArray<{ text: string; matches: StatusPattern }>;
  emptyBody: boolean;
  duration: { text: string; ms: number } | undefined;
  contains: string;
  onlyUrls: readonly UrlPattern[];
  excludeUrls: readonly UrlPattern[];
  onlyCategories: readonly string[];
  record: { reqHeaders: boolean; reqBody: boolean; resHeaders: boolean; resBody: boolean };
  reportAsIssue: boolean;
  continue: boolean;
}

/** The rule and what in its config could not be used (each problem is left out of the rule). */
export function readErrorRule(entry: ConfigObject, index: number): { rule: ErrorRule; problems: string[] } {
  const problems: string[] = [];
  const statusCodes: Array<{ text: string; matches: StatusPattern }> = [];
  for (const text of readStringList(entry, 'triggerStatusCodes')) {
    const matches = compileStatusPattern(text);
    if (matches === undefined) problems.push(`triggerStatusCodes "${text}" is not like "404" or "5xx"`);
    else statusCodes.push({ text, matches });
  }
  const durationText = readString(entry, 'triggerDuration', '').trim();
  let duration: ErrorRule['duration'];
  if (durationText !== '') {
    const ms = parseGoDuration(durationText);
    if (ms === undefined || ms <= 0) problems.push(`triggerDuration "${durationText}" is not a positive duration like "500ms" or "2s"`);
    else duration = { text: durationText, ms };
  }
  const rule: ErrorRule = {
    name: readString(entry, 'name', `rule ${index + 1}`),
    statusCodes,
    emptyBody: readBool(entry, 'triggerEmptyBody', false),
    duration,
    contains: readString(entry, 'triggerContains', ''),
    onlyUrls: readStringList(entry, 'onlyUrls').map(compileUrlPattern),
    excludeUrls: readStringList(entry, 'excludeUrls').map(compileUrlPattern),
    onlyCategories: readStringList(entry, 'onlyCategories').map((c) => c.trim().toLowerCase()),
    record: {
      reqHeaders: readBool(entry, 'recordReqHeaders', false),
      reqBody: readBool(entry, 'recordReqBody', false),
      resHeaders: readBool(entry, 'recordResHeaders', false),
      resBody: readBool(entry, 'recordResBody', false),
    },
    reportAsIssue: readBool(entry, 'reportAsIssue', true),
    continue: readBool(entry, 'continue', false),
  };
  if (rule.statusCodes.length === 0 && !rule.emptyBody && rule.duration === undefined && rule.contains === '') {
    problems.push('it has no trigger (triggerStatusCodes, triggerEmptyBody, triggerDuration, triggerContains), so it never matches');
  }
  if (readStringList(entry, 'withTags').length > 0) problems.push('withTags is not supported yet and is ignored');
  return { rule, problems };
}
