import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CT_SKIP_ALL, CT_SKIP_DATA, CT_SKIP_TLS } from '../capture/wire.ts';
import { FILTER_GROUP_NAMES } from './filter-groups.ts';
import { dropsTransaction, kernelSkipBits, ProcessFilter, SKIP_NOTHING } from './process-filter.ts';

const none = new ProcessFilter({ groups: [], custom: [] });

test('strategies match as the seed docs describe', () => {
  const cases: Array<[strategy: 'exact' | 'prefix' | 'suffix' | 'contains' | 'regex', pattern: string, blocked: string[], kept: string[]]> = [
    ['exact', '/usr/bin/curl', ['/usr/bin/curl'], ['/usr/local/bin/curl', '/bin/curl', '/opt/curl/bin/curl']],
    ['prefix', '/usr/bin/', ['/usr/bin/curl', '/usr/bin/wget', '/usr/bin/python3'], ['/usr/local/bin/curl', '/bin/sh']],
    ['regex', '.*/curl$|my-curl', ['/usr/bin/curl', '/usr/local/bin/curl', '/opt/my-curl-app/bin/app'], ['/usr/bin/wget', '/usr/bin/python3']],
    ['suffix', '/python3', ['/usr/bin/python3', '/opt/x/python3'], ['/usr/bin/python3.11']],
    ['contains', 'node', ['/usr/bin/node', '/opt/node24/bin/x'], ['/usr/bin/curl']],
  ];
  for (const [strategy, exe, blocked, kept] of cases) {
    const f = new ProcessFilter({ groups: [], custom: [{ exe, strategy }] });
    for (const path of blocked) assert.equal(f.skipFor(path).http, true, `${strategy} ${exe} blocks ${path}`);
    for (const path of kept) assert.equal(f.skipFor(path), SKIP_NOTHING, `${strategy} ${exe} keeps ${path}`);
  }
});

test('only picks what is skipped; several matching entries add up', () => {
  const f = new ProcessFilter({
    groups: [],
    custom: [
      { exe: '/usr/bin/curl', strategy: 'exact', only: ['tls'] },
      { exe: 'curl', strategy: 'contains', only: ['dns'] },
    ],
  });
  assert.deepEqual({ ...f.skipFor('/usr/bin/curl') }, { data: false, dns: true, tls: true, http: false });
  assert.deepEqual({ ...f.skipFor('/opt/curl') }, { data: false, dns: true, tls: false, http: false });
});

test('any of a process\'s paths can match (exec path and /proc/PID/exe)', () => {
  const f = new ProcessFilter({ groups: [], custom: [{ exe: '/usr/bin/python3.11', strategy: 'exact' }] });
  assert.equal(f.skipFor('/usr/bin/python3', '/usr/bin/python3.11').http, true);
  assert.equal(f.skipFor(undefined, '/usr/bin/python3.11').http, true);
  assert.equal(none.skipFor('/usr/bin/python3'), SKIP_NOTHING);
});

test('groups cover their daemons and nothing ordinary', () => {
  const f = (group: (typeof FILTER_GROUP_NAMES)[number]) => new ProcessFilter({ groups: [group], custom: [] });
  assert.equal(f('kubernetes').skipFor('/usr/bin/kubelet').http, true);
  assert.equal(f('kubernetes').skipFor('/pause').http, true);
  assert.equal(f('container').skipFor('/usr/bin/containerd-shim-runc-v2').http, true);
  assert.equal(f('container').skipFor('/usr/bin/dockerd').http, true);
  assert.equal(f('gke').skipFor('/home/kubernetes/bin/kubelet').http, true);
  assert.equal(f('eks').skipFor('/app/aws-k8s-agent').http, true);
  assert.equal(f('qpoint').skipFor('/usr/local/bin/qtap').http, true);
  for (const group of FILTER_GROUP_NAMES) {
    for (const ordinary of ['/usr/bin/curl', '/usr/sbin/nginx', '/usr/bin/node', '/usr/bin/python3.11', '/usr/bin/kubectl']) {
      assert.equal(f(group).skipFor(ordinary), SKIP_NOTHING, `${group} leaves ${ordinary} alone`);
    }
  }
});

test('kernel bits: tls and data separately, http skips both', () => {
  const bits = (only?: Array<'data' | 'dns' | 'tls' | 'http'>) =>
    kernelSkipBits(new ProcessFilter({ groups: [], custom: [{ exe: '/x', strategy: 'exact', only }] }).skipFor('/x'));
  assert.equal(bits(), CT_SKIP_ALL);
  assert.equal(bits(['tls']), CT_SKIP_TLS);
  assert.equal(bits(['data']), CT_SKIP_DATA);
  assert.equal(bits(['http']), CT_SKIP_ALL);
  assert.equal(bits(['dns']), 0);
  assert.equal(kernelSkipBits(SKIP_NOTHING), 0);
});

test('transactions are dropped by their source', () => {
  const tlsOnly = new ProcessFilter({ groups: [], custom: [{ exe: '/x', strategy: 'exact', only: ['tls'] }] }).skipFor('/x');
  assert.equal(dropsTransaction(tlsOnly, true), true);
  assert.equal(dropsTransaction(tlsOnly, false), false);
  assert.equal(dropsTransaction(SKIP_NOTHING, true), false);
});
