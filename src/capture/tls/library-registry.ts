// Name → TLS library module, in registration order (the first module that claims a file wins, so specific
// modules go before generic ones). A duplicate name is refused with an error value: two modules answering to
// one name would make `status` and config ambiguous.

import type { ModuleScope, TlsLibraryModule } from './library-module.ts';
import { gnutlsModule } from './gnutls.ts';
import { nodeModule } from './node.ts';
import { opensslModule } from './openssl.ts';
import { staticOpensslModule } from './static-openssl.ts';

export type RegisterResult = { ok: true } | { ok: false; code: 'CT_ERR_TLS_DUPLICATE_MODULE'; message: string };

export class TlsLibraryRegistry {
  readonly #modules: TlsLibraryModule[] = [];

  register(module: TlsLibraryModule): RegisterResult {
    if (this.#modules.some((m) => m.name === module.name)) {
      return { ok: false, code: 'CT_ERR_TLS_DUPLICATE_MODULE', message: `a TLS library module named "${module.name}" is already registered` };
    }
    this.#modules.push(module);
    return { ok: true };
  }

  get modules(): readonly TlsLibraryModule[] {
    return this.#modules;
  }

  get(name: string): TlsLibraryModule | undefined {
    return this.#modules.find((m) => m.name === name);
  }

  /** Modules that may claim a file: executables go to every executable module, libraries by file name. */
  candidatesFor(scope: ModuleScope, baseName: string): TlsLibraryModule[] {
    return this.#modules.filter((m) => m.scope === scope && (scope === 'executable' || m.matchesFileName(baseName)));
  }
}

/** The built-in modules: shared libssl and libgnutls, node, then any other static OpenSSL executable. */
export function builtinRegistry(): TlsLibraryRegistry {
  const registry = new TlsLibraryRegistry();
  for (const m of [opensslModule, gnutlsModule, nodeModule, staticOpensslModule]) registry.register(m);
  return registry;
}
