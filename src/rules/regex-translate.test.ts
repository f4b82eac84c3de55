import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileRegex } from './regex-translate.ts';

function regex(source: string): RegExp {
  const compiled = compileRegex(source);
  assert.ok('regex' in compiled, `${source}: ${'reason' in compiled ? compiled.reason : ''}`);
  return compiled.regex;
}

describe('RE2 patterns on JS RegExp', () => {
  const table: Array<[source: string, matching: string[], notMatching: string[]]> = [
    ['^/api/', ['/api/x'], ['/v1/api/']],
    ['example\\.com$', ['www.example.com'], ['example.com.evil', 'exampleXcom']],
    ['^\\/api\\/', ['/api/'], ['api/']],
    ['p/q\\|r', ['p/q|r'], ['p/q']],
    ['(?i)^get$', ['GET', 'get', 'Get'], ['GETS']],
    ['(?is)a.b', ['A\nB'], ['ab']],
    ['(?m)^b$', ['a\nb\nc'], ['a b']],
    ['a(?i)bc', ['aBC', 'abc'], ['ABC']],
    ['(x(?i)y)z', ['xYz'], ['xYZ']],
    ['(?i:ab)c', ['ABc'], ['ABC']],
    ['(?P<first>\\w+)@(?P<domain>\\w+)', ['me@host'], ['@']],
    ['\\Ahead', ['header'], ['ahead']],
    ['tail\\z', ['a tail'], ['tail\n', 'tails']],
    ['(?m:^x\\z)', ['x'], ['x\ny']],
    ['\\Q1.5+2\\E', ['1.5+2'], ['105+2', '1.55552']],
    ['\\Qa.b', ['a.b'], ['axb']],
    ['[[:digit:]]+-[[:alpha:]]', ['42-x'], ['42-1']],
    ['^[[:upper:][:digit:]_]+$', ['AB_1'], ['ab']],
    ['[^[:space:]]', ['a'], [' \t']],
    ['[]a]', [']', 'a'], ['b']],
    ['[^]a]', ['b'], [']', 'a']],
    ['\\x{41}\\x{1F600}', ['A😀'], ['A']],
    ['\\pL+\\d', ['é1'], ['_1']],
    ['\\p{Lu}', ['É'], ['é']],
    ['a\\-b\\#c\\!', ['a-b#c!'], ['ab#c!']],
    ['[a\\-z]', ['-'], ['b']],
    ['\\a', ['\x07'], ['a']],
    ['(?:ab)+', ['abab'], ['ba']],
    ['', ['', 'anything'], []],
  ];
  for (const [source, matching, notMatching] of table) {
    test(`/${source}/`, () => {
      const re = regex(source);
      for (const s of matching) assert.ok(re.test(s), `should match ${JSON.stringify(s)}`);
      for (const s of notMatching) assert.ok(!re.test(s), `should not match ${JSON.stringify(s)}`);
    });
  }

  for (const source of ['(', 'a)', '[abc', '*a', '(?U)a+', 'a(?U)b', '[[:^alpha:]]', '[[:nope:]]', 'a\\', '\\x{41']) {
    test(`rejects /${source}/`, () => {
      const compiled = compileRegex(source);
      assert.ok('reason' in compiled && compiled.reason.length > 0);
    });
  }
});
