// Shared schemas that the OpenAPI document lists once under components/schemas: a schema object passed through
// named() is the same object fastify validates and serializes with, and the generator, meeting it anywhere in a
// route schema, writes a $ref to it instead of a copy.

const names = new WeakMap<object, string>();

export function named<T extends object>(name: string, schema: T): T {
  names.set(schema, name);
  return schema;
}

export function nameOf(schema: object): string | undefined {
  return names.get(schema);
}
