// What Qtap's decoder (yaml.v3 into Go structs) accepts that a JSON Schema would not, applied before the schema
// sees the document so that a config Qtap loads loads here too:
// - a key with no value (`custom:` with its list commented out) is a Go zero value: here the key is absent
//   and its default applies; a stack with no value (`stacks: {mine: }`) still exists, with no plugins;
// - control rules' actions are lowercased (`DENY` is `deny`).
// Nulls inside lists stay, so that `groups: [kubernetes, ~]` is still reported.

type Mapping = Record<string, unknown>;

const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

function withoutNullKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullKeys);
  if (!isMapping(value)) return value;
  const out: Mapping = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) out[key] = withoutNullKeys(v);
  return out;
}

export function asQtapDecodes(document: Mapping): Mapping {
  const copy = { ...document };
  if (isMapping(copy.stacks)) copy.stacks = Object.fromEntries(Object.entries(copy.stacks).map(([name, stack]) => [name, stack ?? {}]));
  const out = withoutNullKeys(copy) as Mapping;
  const rules = isMapping(out.control) ? out.control.rules : undefined;
  if (Array.isArray(rules)) {
    for (const rule of rules) {
      if (isMapping(rule) && Array.isArray(rule.actions)) rule.actions = rule.actions.map((a) => (typeof a === 'string' ? a.toLowerCase() : a));
    }
  }
  return out;
}
