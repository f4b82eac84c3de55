import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchIdOf } from './pulse-backend.ts';
import { readPulseSettings } from './pulse-config.ts';

const token = { type: 'env', value: 'AGENT_TOKEN' };
const env = { AGENT_TOKEN: 'ct_agt_x' };

describe('pulse event store settings', () => {
  it('posts to <url>/api/v1/ingest/events, under the base path of a server behind a proxy', () => {
    assert.equal(readPulseSettings({ url: 'https://cleartap.example.com', token }, 'x', env).ingestUrl.href, 'https://cleartap.example.com/api/v1/ingest/events');
    assert.equal(readPulseSettings({ url: 'https://proxy.example.com/cleartap/', token }, 'x', env).ingestUrl.href, 'https://proxy.example.com/cleartap/api/v1/ingest/events');
    assert.equal(readPulseSettings({ url: 'https://h', token }, 'x', env).token, 'ct_agt_x');
  });

  it('plain http only with allow_insecure; url and token are required', () => {
    assert.throws(() => readPulseSettings({ url: 'http://127.0.0.1:10001', token }, 'x', env), { code: 'CT_ERR_CONFIG' });
    assert.equal(readPulseSettings({ url: 'http://127.0.0.1:10001', allow_insecure: true, token }, 'x', env).allowInsecure, true);
    assert.throws(() => readPulseSettings({ token }, 'x', env), { code: 'CT_ERR_CONFIG' });
    assert.throws(() => readPulseSettings({ url: 'ftp://h', allow_insecure: true, token }, 'x', env), { code: 'CT_ERR_CONFIG' });
    assert.throws(() => readPulseSettings({ url: 'https://h' }, 'x', env), { code: 'CT_ERR_CONFIG' });
    assert.throws(() => readPulseSettings({ url: 'https://h', token }, 'x', {}), { code: 'CT_ERR_CONFIG_SECRET' });
  });

  it('the same records give the same batch id, other records another', () => {
    const e = (id: string) => ({ id, event: { type: 'dns' as const, item: { timestamp: 't', name: 'n', type: 'A', answers: [] } } });
    assert.equal(batchIdOf([e('a-1'), e('a-2')]), batchIdOf([e('a-1'), e('a-2')]));
    assert.notEqual(batchIdOf([e('a-1'), e('a-2')]), batchIdOf([e('a-1')]));
    assert.match(batchIdOf([e('a-1')]), /^[0-9a-f]{32}$/);
  });
});
