import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
// Imported statically too, so that tsc checks the example against the plugin interface.
import { plugin as headerCounter } from '../../examples/plugins/header-counter.ts';
import type { Plugin, PluginView } from './plugin.ts';
import { createRedactor } from './redaction.ts';
import { loadStack } from './stack.ts';
import { API_KEY, failingGetTx, metricValue, nextTurn, postOrderTx, testServices, viewOf } from './test-support.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

/** A built-in registry of test plugins that record what they see and how they are driven. */
function recordingPlugins(journal: string[], behaviour: Record<string, Partial<Record<'throw' | 'reject' | 'flushFails' | 'closeFails' | 'createFails', boolean>>> = {}) {
  const make = (type: string): Plugin => ({
    type,
    create() {
      const b = behaviour[type] ?? {};
      if (b.createFails) throw new Error(`${type} refuses its config`);
      journal.push(`create ${type}`);
      return {
        onTransaction(view: PluginView) {
          journal.push(`${type} ${view.tx.id}`);
          if (b.throw) throw new Error(`${type} broke`);
          if (b.reject) return Promise.reject(new Error(`${type} broke later`));
        },
        async flush() {
          journal.push(`flush ${type}`);
          if (b.flushFails) throw new Error('flush failed');
        },
        async close() {
          journal.push(`close ${type}`);
          if (b.closeFails) throw new Error('close failed');
        },
      };
    },
  });
  return new Map(['a', 'b', 'c'].map((t) => [t, make(t)]));
}

describe('loadStack: running plugins', () => {
  it('runs the plugins in order; flush flushes all; close flushes, then closes in reverse order', async () => {
    const journal: string[] = [];
    const stack = await loadStack('s', [{ type: 'a' }, { type: 'b' }], testServices(), { builtins: recordingPlugins(journal) });
    assert.deepEqual(stack.plugins, ['a', 'b']);
    stack.process(viewOf(failingGetTx()));
    await stack.close();
    await stack.close();
    assert.deepEqual(journal, ['create a', 'create b', 'a tx-2', 'b tx-2', 'flush a', 'flush b', 'close b', 'close a']);
  });

  it('isolates failures: throws and rejections are counted per plugin and logged rate-limited; the next plugin still runs', async () => {
    const journal: string[] = [];
    const s = testServices();
    const builtins = recordingPlugins(journal, { a: { throw: true, closeFails: true }, b: { reject: true, flushFails: true } });
    const stack = await loadStack('s', [{ type: 'a' }, { type: 'b' }, { type: 'c' }], s, { builtins });
    stack.process(viewOf(failingGetTx()));
    stack.process(viewOf(postOrderTx()));
    await nextTurn();
    assert.deepEqual(journal.filter((j) => j.startsWith('c ')), ['c tx-2', 'c tx-1']);
    await stack.close();
    const count = (plugin: string) => metricValue(s.metrics.systemRegistry, 'cleartap_plugin_errors_total', { stack: 's', plugin });
    assert.equal(await count('a'), 3); // two throws, one failed close
    assert.equal(await count('b'), 3); // two rejections, one failed flush
    assert.equal(await count('c'), undefined);
    const logged = s.logLines.filter((l) => l.msg === 'plugin failed; the transaction went on to the next plugin');
    assert.deepEqual(logged.map((l) => l.plugin), ['a', 'b']);
  });

  it('a transaction handed over after close is counted and ignored', async () => {
    const journal: string[] = [];
    const s = testServices();
    const stack = await loadStack('s', [{ type: 'a' }], s, { builtins: recordingPlugins(journal) });
    await stack.close();
    stack.process(viewOf(failingGetTx()));
    assert.ok(!journal.includes('a tx-2'));
    assert.equal(await metricValue(s.metrics.systemRegistry, 'cleartap_stack_closed_drops_total', { stack: 's' }), 1);
  });

  it('if masking fails, no plugin sees the transaction, and it is counted', async () => {
    const journal: string[] = [];
    const s = testServices();
    const redactor = () => {
      throw new Error('boom');
    };
    const stack = await loadStack('s', [{ type: 'a' }], s, { builtins: recordingPlugins(journal), redactor });
    stack.process(viewOf(failingGetTx()));
    assert.deepEqual(journal, ['create a']);
    assert.equal(await metricValue(s.metrics.systemRegistry, 'cleartap_redaction_failures_total', { stack: 's' }), 1);
  });
});

describe('loadStack: masking reaches every output', () => {
  it('no built-in output carries a secret; rules still see the unmasked fields', async () => {
    const s = testServices();
    const stack = await loadStack(
      'default',
      [
        { type: 'http_capture', config: { level: 'none', rules: [{ name: 'with auth', expr: 'hasAuth', level: 'full' }] } },
        { type: 'access_logs', config: { mode: 'full' } },
        { type: 'debug', config: { mode: 'full', color: 'always' } },
        { type: 'report_usage', config: { headers: ['Authorization', 'Cookie'] } },
        { type: 'detect_errors', config: { rules: [{ name: 'all', triggerStatusCodes: ['2xx'], recordReqHeaders: true, recordReqBody: true, recordResHeaders: true, recordResBody: true }] } },
      ],
      s,
      { redactor: createRedactor({ jsonFields: ['password', 'token'] }) },
    );
    const tx = postOrderTx();
    const seen: unknown[] = [];
    // fields() stands for the rule fields of the unmasked transaction: the stack passes it through untouched.
    stack.process({ tx, direction: 'egress-external', fields: () => (seen.push(tx.request.headers[2]), { hasAuth: true }) });
    await stack.close();
    assert.deepEqual(seen, [['Authorization', `Bearer ${API_KEY}`]]);

    const outputs = [
      s.stdout.text(),
      ...s.objectStore.artifacts.map((a) => Buffer.from(a.data).toString('utf8')),
      JSON.stringify(s.eventStore.events),
      JSON.stringify(s.logLines),
    ];
    assert.equal(s.objectStore.artifacts.length, 5); // the http_capture record and four detect_errors artifacts
    assert.equal(s.eventStore.events.length, 2); // a Request and an Issue
    const record = Buffer.from(s.objectStore.artifacts[0]!.data).toString('utf8');
    for (const secret of [API_KEY, 's3cr3t', 'n3w', 'hunter2', 'tok-secret-123', '"password":"hunter2"']) {
      for (const out of outputs) assert.ok(!out.includes(secret), `"${secret}" leaked into: ${out.slice(0, 200)}`);
    }
    const base64Bodies = JSON.parse(record).request.body as string;
    assert.equal(Buffer.from(base64Bodies, 'base64').toString(), '{"user":"alice","password":"[REDACTED]"}');
    const accessLog = JSON.parse(s.stdout.text().split('\n')[0]!);
    assert.ok(!Buffer.from(accessLog.response_body, 'base64').toString().includes('tok-secret-123'));
    assert.equal(tx.request.headers[2]![1], `Bearer ${API_KEY}`, 'the pipeline\'s transaction is not changed');
  });
});

describe('loadStack: plugin types and start-up failures', () => {
  it('an unknown type is CT_ERR_PLUGIN; Qtap types cleartap lacks are skipped with a warning', async () => {
    await assert.rejects(loadStack('s', [{ type: 'http_capturez' }], testServices()), { code: 'CT_ERR_PLUGIN' });
    const s = testServices();
    const stack = await loadStack('s', [{ type: 'logger' }, { type: 'report_usage' }], s);
    assert.deepEqual(stack.plugins, ['report_usage']);
    assert.equal(s.logLines[0]!.msg, 'Qtap plugin type "logger" is not supported by cleartap; skipped');
    await stack.close();
  });

  it('a plugin that fails to start stops the stack with CT_ERR_PLUGIN, after closing those already started', async () => {
    const journal: string[] = [];
    const builtins = recordingPlugins(journal, { c: { createFails: true } });
    await assert.rejects(loadStack('s', [{ type: 'a' }, { type: 'b' }, { type: 'c' }], testServices(), { builtins }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CT_ERR_PLUGIN');
      assert.match(err.message, /stack "s", plugin #3 \(c\) failed to start: c refuses its config/);
      return true;
    });
    assert.deepEqual(journal, ['create a', 'create b', 'close b', 'close a']);
  });

  it('create() must return an instance with onTransaction', async () => {
    const builtins = new Map<string, Plugin>([['odd', { type: 'odd', create: () => ({}) as never }]]);
    await assert.rejects(loadStack('s', [{ type: 'odd' }], testServices(), { builtins }), { code: 'CT_ERR_PLUGIN' });
  });

  it('each plugin logs with its stack and plugin names', async () => {
    const s = testServices();
    const stack = await loadStack('mine', [{ type: 'detect_errors', config: { rules: [{ name: 'r' }] } }], s);
    assert.equal(s.logLines[0]!.stack, 'mine');
    assert.equal(s.logLines[0]!.plugin, 'detect_errors');
    await stack.close();
  });
});

describe('loadStack: user plugin modules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cleartap-plugins-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'default-export.ts'),
    `import type { Plugin } from '${fileURLToPath(new URL('./index.ts', import.meta.url))}';
     const seen: string[] = [];
     export default {
       type: 'tagger',
       create: (config: unknown) => ({ onTransaction: (view) => { seen.push(view.tx.id + ':' + String((config as { tag: string }).tag)); } , close: async () => { (globalThis as Record<string, unknown>).taggerSeen = seen; } }),
     } satisfies Plugin;\n`,
  );
  writeFileSync(join(dir, 'named.mjs'), 'export const plugin = { create: () => ({ onTransaction() {} }) };\n');
  writeFileSync(join(dir, 'no-plugin.mjs'), 'export const something = 1;\n');
  writeFileSync(join(dir, 'broken.mjs'), 'export const = ;\n');

  it('loads a module relative to the config directory (default export, TypeScript)', async () => {
    const stack = await loadStack('s', [{ type: './default-export.ts', config: { tag: 'x' } }], testServices({ configDir: dir }));
    assert.deepEqual(stack.plugins, ['tagger']);
    stack.process(viewOf(failingGetTx()));
    await stack.close();
    assert.deepEqual((globalThis as Record<string, unknown>).taggerSeen, ['tx-2:x']);
  });

  it('loads a named `plugin` export by absolute path; without a type it is named by its path', async () => {
    const path = join(dir, 'named.mjs');
    const stack = await loadStack('s', [{ type: path }], testServices());
    assert.deepEqual(stack.plugins, [path]);
    await stack.close();
  });

  it('a module without a plugin export, a missing module and one that does not parse are CT_ERR_PLUGIN', async () => {
    for (const type of ['./no-plugin.mjs', './missing.ts', '../nowhere/x.mjs', './broken.mjs']) {
      await assert.rejects(loadStack('s', [{ type }], testServices({ configDir: dir })), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'CT_ERR_PLUGIN', type);
        assert.ok(err.message.startsWith(`stack "s", plugin #1 (${type}): plugin module ${type} (`), err.message);
        return true;
      });
    }
  });

  it('the documented example, examples/plugins/header-counter.ts, loads and counts', async () => {
    const s = testServices({ configDir: EXAMPLES });
    const stack = await loadStack('s', [{ type: './plugins/header-counter.ts', config: { header: 'X-Tenant', only: 'isError' } }], s);
    assert.deepEqual(stack.plugins, [headerCounter.type]);
    stack.process(viewOf(postOrderTx(), 'egress-external', { isError: true }));
    stack.process(viewOf(failingGetTx(), 'egress-external', { isError: true }));
    stack.process(viewOf(postOrderTx(), 'egress-external', { isError: false }));
    await stack.close();
    const summary = s.logLines.find((l) => l.msg === 'header_counter: transactions per header value');
    assert.deepEqual(summary?.counts, { acme: 1, '(none)': 1 });
    assert.equal(summary?.plugin, 'header_counter');
  });
});
