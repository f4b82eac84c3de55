// A complete user plugin (docs/plugins.md): counts transactions per value of one request header and logs the
// counts when the agent stops. Use it from a stack, with a path relative to the config file:
//
//   stacks:
//     default:
//       plugins:
//         - type: ./plugins/header-counter.ts
//           config:
//             header: X-Tenant                 # default: User-Agent
//             only: http.res.status >= 400     # optional rule: count only the transactions it passes
//
// The import is type-only, so Node erases it and the module needs nothing from cleartap at run time.

import type { Plugin, PluginView } from '../../src/plugins/index.ts';

export const plugin = {
  type: 'header_counter',
  create(config, services) {
    // Configs of user plugins are not validated by cleartap: read each key defensively.
    const settings = (typeof config === 'object' && config !== null ? config : {}) as { header?: unknown; only?: unknown };
    const header = typeof settings.header === 'string' && settings.header !== '' ? settings.header.toLowerCase() : 'user-agent';
    // Rules are compiled once, here; a bad expression throws, and the agent refuses to start with that message.
    const only = typeof settings.only === 'string' ? services.compileRule(settings.only, 'header_counter `only`') : undefined;
    const counts = new Map<string, number>();

    return {
      onTransaction(view: PluginView) {
        // Rules see the unmasked transaction; everything else reads view.tx, where secrets are already masked.
        if (only !== undefined && only(view.fields()) !== 'pass') return;
        const value = view.tx.request.headers.find(([name]) => name.toLowerCase() === header)?.[1] ?? '(none)';
        counts.set(value, (counts.get(value) ?? 0) + 1);
      },
      async close() {
        services.log.info({ header, counts: Object.fromEntries(counts) }, 'header_counter: transactions per header value');
      },
    };
  },
} satisfies Plugin;
