// Loads a given OpenAPI 3.x document (YAML or JSON) for drift checks and path hints. Parse errors name the file,
// line and column; a document without `paths` is refused with CT_ERR_SPEC. Only local `$ref`s are followed
// (spec-refs.ts): a spec split over several files should be bundled first.

import { readFile } from 'node:fs/promises';
import { isMap, parseDocument } from 'yaml';
import { CleartapError } from '../core/errors.ts';

export type SpecDocument = Record<string, unknown>;

export interface LoadedSpec {
  file: string;
  doc: SpecDocument;
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

/** Parses spec text (JSON is YAML, but JSON's own parser reports its errors more precisely). */
export function parseSpec(text: string, file: string): SpecDocument {
  let doc: unknown;
  if (/^\s*\{/.test(text)) {
    try {
      doc = JSON.parse(text);
    } catch (err) {
      const at = /position (\d+)/.exec(String(err))?.[1];
      throw new CleartapError('CT_ERR_SPEC', `${file}${at === undefined ? '' : `:${lineCol(text, Number(at))}`}: not valid JSON (${(err as Error).message})`, 'fix the JSON syntax, or give the spec as YAML', { cause: err });
    }
  } else {
    const parsed = parseDocument(text, { uniqueKeys: false });
    const first = parsed.errors[0];
    if (first !== undefined) {
      const pos = first.linePos?.[0];
      throw new CleartapError('CT_ERR_SPEC', `${file}${pos === undefined ? '' : `:${pos.line}:${pos.col}`}: not valid YAML (${first.message.split('\n')[0]})`, 'fix the YAML syntax at that line', { cause: first });
    }
    if (!isMap(parsed.contents)) throw new CleartapError('CT_ERR_SPEC', `${file}: the document is not a mapping`, 'an OpenAPI document starts with `openapi: 3.x` and `paths:`');
    doc = parsed.toJS({ maxAliasCount: 1000 });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CleartapError('CT_ERR_SPEC', `${file}: the document is not an object`, 'an OpenAPI document starts with `openapi: 3.x` and `paths:`');
  }
  const spec = doc as SpecDocument;
  if (typeof spec.swagger === 'string') {
    throw new CleartapError('CT_ERR_SPEC', `${file}: Swagger ${spec.swagger} documents are not read`, 'convert it to OpenAPI 3 first (e.g. with swagger2openapi)');
  }
  if (typeof spec.openapi !== 'string' || !spec.openapi.startsWith('3.')) {
    throw new CleartapError('CT_ERR_SPEC', `${file}: no \`openapi: 3.x\` field`, 'give an OpenAPI 3.0 or 3.1 document');
  }
  if (typeof spec.paths !== 'object' || spec.paths === null || Array.isArray(spec.paths)) {
    throw new CleartapError('CT_ERR_SPEC', `${file}: no \`paths\` object`, 'the document must list its paths');
  }
  return spec;
}

export async function loadSpec(file: string): Promise<LoadedSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CleartapError('CT_ERR_SPEC', `${file}: cannot read the spec (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'check the path given to --against', { cause: err });
  }
  return { file, doc: parseSpec(text, file) };
}
