import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointRouter } from './endpoint-router.ts';

const router = new EndpointRouter(
  [
    { domain: 'api.github.com', stack: 'exact_stack' },
    { domain: '*.github.com', stack: 'github_stack' },
    { domain: '*.eu.github.com', stack: 'eu_stack' },
    { domain: 'quiet.example.com', stack: 'none' },
    { domain: 'API.Google.com.', stack: 'google_stack' },
  ],
  'default_stack',
);

test('exact beats wildcard, the longest wildcard wins, apex is not matched by *.', () => {
  const table: Array<[string | undefined, string | undefined]> = [
    ['api.github.com', 'exact_stack'],
    ['uploads.github.com', 'github_stack'],
    ['a.b.github.com', 'github_stack'],
    ['x.eu.github.com', 'eu_stack'],
    ['github.com', 'default_stack'],
    ['notgithub.com', 'default_stack'],
    ['api.google.com', 'google_stack'],
    ['API.GOOGLE.COM.', 'google_stack'],
    ['quiet.example.com', undefined],
    ['other.example.com', 'default_stack'],
    [undefined, 'default_stack'],
  ];
  for (const [domain, stack] of table) assert.equal(router.stackFor(domain), stack, String(domain));
});

test('no default stack, and the list of stacks to build', () => {
  const r = new EndpointRouter([{ domain: '*.x.org', stack: 's1' }], '');
  assert.equal(r.stackFor('a.x.org'), 's1');
  assert.equal(r.stackFor('y.org'), undefined);
  assert.deepEqual(router.stacks().sort(), ['default_stack', 'eu_stack', 'exact_stack', 'github_stack', 'google_stack']);
});
