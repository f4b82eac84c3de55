// Config documents and agents: validation with the agent's own validator (line and column in the 400),
// versions, diffs and secret masking, rollouts followed per agent from registration through fetch (ETag/304) to
// the agent's report, and the audit log that records each change with its diff.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultConfigYaml } from '../../src/config/index.ts';
import { startHarness, type Harness } from './server-fixture.ts';

const V1 = defaultConfigYaml();
// v2: a comment, capture everything at full, and an S3 store with a text secret (masked for viewers).
const V2 = V1.replace('          level: details', '          level: full # bodies too').replace(
  '    - type: local\nstacks:',
  "    - type: local\n    - type: s3\n      endpoint: minio.internal:9000\n      bucket: captures\n      access_key: { type: text, value: AKIAEXAMPLE }\n      secret_key: { type: text, value: sup3r-s3cret }\nstacks:",
);
const INVALID = `${V1.replace('direction: all', 'direction: sideways')}`;

describe('config and agents API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ writeTraffic: false });
  });
  after(() => h?.close());

  it('validates with the agent\'s validator: problems come back as a 400 with line, column and key path', async () => {
    assert.notEqual(V2, V1);
    const ok = await h.json('/api/v1/config/validate', { method: 'POST', role: 'editor', body: { yaml: V2 } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { valid: true, warnings: [] });

    const bad = await h.json('/api/v1/config/validate', { method: 'POST', role: 'editor', body: { yaml: INVALID } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'CT_ERR_CONFIG_INVALID');
    const line = INVALID.split('\n').findIndex((l) => l.includes('sideways')) + 1;
    assert.deepEqual(bad.body.error.details, [{ field: 'tap.direction', message: "'sideways' is not one of egress, egress-external, egress-internal, ingress, all", line, column: 14, severity: 'error' }]);
    assert.match(bad.body.error.message, new RegExp(`line ${line}, column 14`));

    const syntax = await h.json('/api/v1/config/validate', { method: 'POST', role: 'editor', body: { yaml: 'version: 2\ntap: [unclosed\n' } });
    assert.equal(syntax.body.error.code, 'CT_ERR_CONFIG_INVALID');
    assert.equal(syntax.body.error.details[0].field, '(yaml)');
    assert.ok(syntax.body.error.details[0].line >= 2);

    const warned = await h.json('/api/v1/config/validate', { method: 'POST', role: 'editor', body: { yaml: V1.replace('version: 2', 'version: 2\nflavour: mint') } });
    assert.equal(warned.status, 200);
    assert.deepEqual(warned.body.warnings.map((w: { field: string; severity: string; line: number }) => [w.field, w.severity, w.line]), [['flavour', 'warning', 2]]);
  });

  it('keeps versions, diffs them like diff -u, masks text secrets for viewers, and refuses a stale save', async () => {
    const created1 = await h.json('/api/v1/config/versions', { method: 'POST', role: 'editor', body: { yaml: V1, comment: 'the default', baseVersion: 0 } });
    assert.equal(created1.status, 201, JSON.stringify(created1.body));
    assert.equal(created1.body.version, 1);
    assert.equal(created1.body.createdBy, 'the-editor (token ' + (await h.json('/api/v1/auth/me', { role: 'editor' })).body.tokenId + ')');
    const rejected = await h.json('/api/v1/config/versions', { method: 'POST', role: 'editor', body: { yaml: INVALID } });
    assert.equal(rejected.status, 400);
    assert.equal(rejected.body.error.code, 'CT_ERR_CONFIG_INVALID');
    const stale = await h.json('/api/v1/config/versions', { method: 'POST', role: 'editor', body: { yaml: V2, baseVersion: 0 } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'CT_ERR_CONFLICT');
    const created2 = await h.json('/api/v1/config/versions', { method: 'POST', role: 'admin', body: { yaml: V2, comment: 'full capture + s3', baseVersion: 1 } });
    assert.equal(created2.body.version, 2);

    const list = await h.json('/api/v1/config/versions', { role: 'viewer' });
    assert.deepEqual(list.body.items.map((v: { version: number; comment: string }) => [v.version, v.comment]), [[2, 'full capture + s3'], [1, 'the default']]);
    assert.equal(list.body.latest, 2);
    assert.deepEqual((await h.json('/api/v1/config/versions?limit=1&before=2', { role: 'viewer' })).body.items.map((v: { version: number }) => v.version), [1]);

    const asEditor = (await h.json('/api/v1/config/versions/2', { role: 'editor' })).body;
    assert.equal(asEditor.yaml, V2);
    assert.equal(asEditor.masked, false);
    const asViewer = (await h.json('/api/v1/config/versions/2', { role: 'viewer' })).body;
    assert.equal(asViewer.masked, true);
    assert.equal(asViewer.yaml.includes('sup3r-s3cret'), false);
    assert.equal(asViewer.yaml.includes('AKIAEXAMPLE'), false);
    assert.match(asViewer.yaml, /secret_key: \{ type: text, value: "\*\*\*" \}/);
    assert.match(asViewer.yaml, /level: full # bodies too/, 'comments survive the masking');
    assert.equal((await h.json('/api/v1/config/versions/9', { role: 'viewer' })).status, 404);

    // The diff applies with GNU patch: it is a real unified diff.
    const diff = (await h.json('/api/v1/config/diff?from=1&to=2', { role: 'editor' })).body.diff as string;
    assert.match(diff, /^--- v1\n\+\+\+ v2\n@@ /);
    assert.match(diff, /^-          level: details$/m);
    assert.match(diff, /^\+          level: full # bodies too$/m);
    const dir = mkdtempSync(join(tmpdir(), 'cleartap-patch-'));
    try {
      writeFileSync(join(dir, 'config.yaml'), V1);
      writeFileSync(join(dir, 'd.patch'), diff);
      execFileSync('patch', ['-s', join(dir, 'config.yaml'), join(dir, 'd.patch')]);
      assert.equal(readFileSync(join(dir, 'config.yaml'), 'utf8'), V2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const viewerDiff = (await h.json('/api/v1/config/diff?from=1&to=2', { role: 'viewer' })).body.diff as string;
    assert.equal(viewerDiff.includes('sup3r-s3cret'), false);
    assert.match((await h.json('/api/v1/config/diff?from=0&to=1', { role: 'viewer' })).body.diff, /^--- empty\n\+\+\+ v1\n@@ -0,0 \+1,\d+ @@\n\+version: 2\n/);
    assert.equal((await h.json('/api/v1/config/diff?from=2&to=2', { role: 'viewer' })).body.diff, '');
  });

  it('agents register with an enrollment token, fetch the rolled-out config (ETag, 304) and report; each rollout tracks every agent', async () => {
    const enrollment = await h.json('/api/v1/agents/enrollment-tokens', { method: 'POST', role: 'admin', body: { name: 'fleet', expiresInHours: 1 } });
    assert.equal(enrollment.status, 201);
    assert.match(enrollment.body.secret, /^ct_enr_/);
    const register = async (name: string, token = enrollment.body.secret as string) =>
      h.json('/api/v1/agents/register', { method: 'POST', token, body: { name, hostname: `${name}.lan`, version: '0.1.0', labels: { zone: 'a' } } });
    const web1 = await register('web-1');
    assert.equal(web1.status, 201, JSON.stringify(web1.body));
    assert.match(web1.body.token, /^ct_agt_/);
    assert.equal(web1.body.agent.name, 'web-1');
    assert.deepEqual(web1.body.agent.labels, { zone: 'a' });
    const web2 = await register('web-2');
    const agentCall = (token: string) => ({ token });

    // Nothing rolled out yet.
    const none = await h.json('/api/v1/agent/config', agentCall(web1.body.token));
    assert.equal(none.status, 404);

    const rollout1 = await h.json('/api/v1/config/rollouts', { method: 'POST', role: 'editor', body: { version: 1, comment: 'first' } });
    assert.equal(rollout1.status, 201, JSON.stringify(rollout1.body));
    assert.deepEqual(rollout1.body.agents, { pending: 2, delivered: 0, applied: 0, failed: 0 });
    const fetched = await h.json('/api/v1/agent/config', agentCall(web1.body.token));
    assert.equal(fetched.status, 200);
    assert.equal(fetched.headers.get('etag'), '"1"');
    assert.equal(fetched.body.version, 1);
    assert.equal(fetched.body.yaml, V1, 'agents get the unmasked document');
    const again = await h.call('/api/v1/agent/config', { token: web1.body.token, headers: { 'if-none-match': '"1"' } });
    assert.equal(again.status, 304);
    let detail = (await h.json(`/api/v1/config/rollouts/${rollout1.body.id}`, { role: 'viewer' })).body;
    assert.deepEqual(detail.perAgent.map((a: { name: string; state: string }) => [a.name, a.state]), [['web-1', 'delivered'], ['web-2', 'pending']]);

    const report = (version: number, state: string, error?: string) => ({
      version: '0.1.0',
      uptimeSeconds: 42,
      probes: [{ pid: 4100, exe: '/usr/bin/curl', library: 'openssl', attached: true }, { pid: 5200, exe: '/usr/bin/python3.12', library: 'openssl', attached: false, error: 'no symbols' }],
      drops: { rb_reserve_fail: 3, queue_shed: 0 },
      config: { version, state, ...(error !== undefined && { error }) },
    });
    assert.equal((await h.call('/api/v1/agent/status', { method: 'PUT', token: web1.body.token, body: report(1, 'applied') })).status, 204);
    detail = (await h.json(`/api/v1/config/rollouts/${rollout1.body.id}`, { role: 'viewer' })).body;
    assert.deepEqual(detail.agents, { pending: 1, delivered: 0, applied: 1, failed: 0 });
    const bogus = await h.json('/api/v1/agent/status', { method: 'PUT', token: web1.body.token, body: report(7, 'applied') });
    assert.equal(bogus.status, 400);
    assert.equal(bogus.body.error.details[0].field, 'body.config.version');

    // Rolling out v2: the next fetch gets it (new ETag); web-2 fails to apply it.
    const rollout2 = await h.json('/api/v1/config/rollouts', { method: 'POST', role: 'editor', body: { version: 2 } });
    const changed = await h.call('/api/v1/agent/config', { token: web1.body.token, headers: { 'if-none-match': '"1"' } });
    assert.equal(changed.status, 200);
    assert.equal(changed.headers.get('etag'), '"2"');
    assert.equal(((await changed.json()) as { yaml: string }).yaml, V2);
    assert.equal((await h.json('/api/v1/agent/config', agentCall(web2.body.token))).body.version, 2);
    await h.call('/api/v1/agent/status', { method: 'PUT', token: web2.body.token, body: report(2, 'failed', 'services changed: restart needed') });
    detail = (await h.json(`/api/v1/config/rollouts/${rollout2.body.id}`, { role: 'viewer' })).body;
    assert.equal(detail.current, true);
    assert.deepEqual(detail.perAgent.map((a: { name: string; state: string; error: string | null }) => [a.name, a.state, a.error]), [['web-1', 'delivered', null], ['web-2', 'failed', 'services changed: restart needed']]);
    const rollouts = (await h.json('/api/v1/config/rollouts', { role: 'viewer' })).body.items;
    assert.deepEqual(rollouts.map((r: { id: number; version: number; current: boolean }) => [r.version, r.current]), [[2, true], [1, false]]);

    // Agents, with their last report and the current rollout as each knows it.
    const agents = (await h.json('/api/v1/agents', { role: 'viewer' })).body.items;
    const a1 = agents.find((a: { name: string }) => a.name === 'web-1');
    assert.equal(a1.status.probes.length, 2);
    assert.deepEqual(a1.status.drops, { rb_reserve_fail: 3, queue_shed: 0 });
    assert.equal(a1.status.uptimeSeconds, 42);
    assert.deepEqual(a1.config, { rolloutId: rollout2.body.id, version: 2, state: 'delivered' });
    assert.equal((await h.json(`/api/v1/agents/${a1.id}`, { role: 'viewer' })).body.name, 'web-1');

    // Registering again under a name replaces that agent's token; deleting the agent revokes it.
    const reregistered = await register('web-1');
    assert.equal(reregistered.body.agent.id, a1.id);
    assert.equal((await h.call('/api/v1/agent/config', { token: web1.body.token })).status, 401);
    assert.equal((await h.call('/api/v1/agent/config', { token: reregistered.body.token })).status, 200);
    assert.equal((await h.call(`/api/v1/agents/${a1.id}`, { method: 'DELETE', role: 'admin' })).status, 204);
    assert.equal((await h.call('/api/v1/agent/config', { token: reregistered.body.token })).status, 401);
    assert.equal((await h.call(`/api/v1/agents/${a1.id}`, { role: 'viewer' })).status, 404);

    // An enrollment token limited to one use, and a revoked one.
    const once = await h.json('/api/v1/agents/enrollment-tokens', { method: 'POST', role: 'admin', body: { name: 'one host', uses: 1 } });
    assert.equal((await register('db-1', once.body.secret)).status, 201);
    assert.equal((await register('db-2', once.body.secret)).status, 401);
    const listed = (await h.json('/api/v1/agents/enrollment-tokens', { role: 'admin' })).body.items;
    assert.deepEqual(listed.map((t: { name: string; usesLeft: number | null }) => [t.name, t.usesLeft]), [['fleet', null], ['one host', 0]]);
    assert.equal((await h.call(`/api/v1/agents/enrollment-tokens/${enrollment.body.token.id}`, { method: 'DELETE', role: 'admin' })).status, 204);
    assert.equal((await register('web-9')).status, 401);
  });

  it('the audit log has every change — who, when, what, with the config diffs — newest first, filterable and paged', async () => {
    const all = (await h.json('/api/v1/audit?limit=1000', { role: 'admin' })).body.items as Array<{ id: number; actor: string; action: string; target: string; diff: string | null; time: string; details: Record<string, unknown> }>;
    const actions = all.map((e) => e.action).reverse();
    for (const expected of ['user.create', 'auth.login', 'token.create', 'config.create', 'enrollment.create', 'agent.register', 'config.rollout', 'agent.reregister', 'agent.delete', 'enrollment.revoke']) {
      assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
    }
    assert.ok(all.every((e, i) => i === 0 || e.id < all[i - 1].id), 'newest first');
    const configCreate = all.filter((e) => e.action === 'config.create');
    assert.deepEqual(configCreate.map((e) => e.target), ['config v2', 'config v1']);
    assert.match(configCreate[0].diff as string, /^--- v1\n\+\+\+ v2\n/);
    assert.equal((configCreate[0].diff as string).includes('sup3r-s3cret'), false, 'secrets are masked in the audit log');
    assert.match(configCreate[0].actor, /^root-admin \(token tok_[0-9a-f]{16}\)$/);
    const rollout = all.find((e) => e.action === 'config.rollout' && e.target === 'config v2');
    assert.equal(rollout?.details.previousVersion, 1);
    assert.match(rollout?.diff ?? '', /^--- v1 \(rollout 1\)\n\+\+\+ v2 \(rollout 2\)\n/);
    const registered = all.find((e) => e.action === 'agent.register');
    assert.match(registered?.actor ?? '', /^enrollment tok_/);
    assert.ok(Date.now() - Date.parse(all[0].time) < 60_000);

    const configOnly = (await h.json('/api/v1/audit?action=config.', { role: 'admin' })).body.items;
    assert.deepEqual(configOnly.map((e: { action: string }) => e.action), ['config.rollout', 'config.rollout', 'config.create', 'config.create']);
    const byActor = (await h.json(`/api/v1/audit?actor=${encodeURIComponent(configCreate[0].actor)}`, { role: 'admin' })).body.items;
    assert.ok(byActor.length >= 1 && byActor.every((e: { actor: string }) => e.actor === configCreate[0].actor));
    const page1 = (await h.json('/api/v1/audit?limit=3', { role: 'admin' })).body;
    const page2 = (await h.json(`/api/v1/audit?limit=3&cursor=${page1.nextCursor}`, { role: 'admin' })).body;
    assert.deepEqual([...page1.items, ...page2.items].map((e: { id: number }) => e.id), all.slice(0, 6).map((e) => e.id));
    assert.equal((await h.json('/api/v1/audit?since=1m', { role: 'admin' })).body.items.length, all.length);
    assert.equal((await h.json('/api/v1/audit?until=1m', { role: 'admin' })).body.items.length, 0);
  });
});
