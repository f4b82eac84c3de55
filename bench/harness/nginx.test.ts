import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStubStatus } from './nginx.ts';

describe('nginx stub_status', () => {
  it('reads the requests counter', () => {
    const page =
      'Active connections: 17 \nserver accepts handled requests\n 42 42 912345 \nReading: 0 Writing: 1 Waiting: 16 \n';
    assert.equal(parseStubStatus(page), 912345);
    assert.throws(() => parseStubStatus('<html>404</html>'), /not a stub_status page/);
  });
});
