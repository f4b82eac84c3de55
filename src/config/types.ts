// The validated config, as the YAML spells it (snake_case keys, Qtap's names), with defaults filled in.
// Optional keys stay optional where Qtap gives them no default.

export interface ValueSource {
  type: 'text' | 'env';
  value: string;
}

export interface StoreConfig {
  type: string;
  id?: string;
  [key: string]: unknown;
}

export interface PluginEntry {
  type: string;
  config?: unknown;
}

export interface StackConfig {
  plugins: PluginEntry[];
}

export interface StackRef {
  stack?: string;
}

export interface CustomFilterConfig {
  exe: string;
  strategy: 'exact' | 'prefix' | 'suffix' | 'contains' | 'regex';
  only?: Array<'data' | 'dns' | 'tls' | 'http'>;
}

export interface EndpointConfig {
  domain: string;
  http?: StackRef;
  redis?: StackRef;
  mysql?: StackRef;
  kafka?: StackRef;
}

export interface TapConfig {
  direction: 'egress' | 'egress-external' | 'egress-internal' | 'ingress' | 'all';
  ignore_loopback: boolean;
  audit_include_dns: boolean;
  http: StackRef;
  redis?: StackRef;
  mysql?: StackRef;
  kafka?: StackRef;
  filters: {
    groups: Array<'kubernetes' | 'container' | 'gke' | 'eks' | 'qpoint'>;
    custom: CustomFilterConfig[];
  };
  endpoints: EndpointConfig[];
  mask: { headers?: string[]; json_fields?: string[] };
  /** Passive mode's NTA settings (comma lists or YAML lists). */
  passive?: Record<string, string | number | Array<string | number>>;
}

export interface MacroConfig {
  name: string;
  expr: string;
}

export interface QtapConfig {
  version?: number;
  services: { event_stores: StoreConfig[]; object_stores: StoreConfig[]; qscan?: object };
  stacks: Record<string, StackConfig>;
  tap: TapConfig;
  tags: Array<{ key: string; source: string; location: string }>;
  control?: { default: 'allow'; rules?: Array<{ name: string; expr: string; actions?: string[] }> };
  rulekit: { macros: MacroConfig[] };
}

/** A problem found in a config file, at its line and column. */
export interface ConfigProblem {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  /** "tap.direction" */
  path: string;
  message: string;
}

export interface LoadedConfig {
  config: Readonly<QtapConfig>;
  /** The file it came from, or "built-in default". */
  source: string;
  /** Where relative paths in it (user plugin modules) resolve. */
  dir: string;
  warnings: ConfigProblem[];
}
