import { errors } from './errors.js';
import type { Params } from './params.js';
import { readLimit } from './list.js';
import type { SearchResultObject, StripeObject } from './types.js';

type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';

interface Clause {
  negated: boolean;
  field: string;
  metadataKey?: string;
  operator: Operator;
  value: string | number | null;
}

/** Which fields a resource's search understands and how to read them from an object. */
export type SearchFields = Record<string, (object: StripeObject) => unknown>;

/** Fields read as the object's own properties of those names. */
export function searchFields(...names: string[]): SearchFields {
  return Object.fromEntries(names.map((name) => [name, (object: StripeObject) => object[name]]));
}

// field, or metadata['key'] / metadata["key"]; then an operator; then a quoted string, a number or null.
const CLAUSE =
  /^(-)?(?:metadata\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]|([a-z_]+))\s*(>=|<=|:|~|>|<)\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(-?\d+)|(null))\s*/;
const JOINER = /^(AND|OR)\s+/i;

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** Parses Stripe's search query language (the subset the emulator answers); bad queries are a 400 on `query`. */
function parseQuery(query: string, fields: SearchFields): { clauses: Clause[]; joiner: 'AND' | 'OR' } {
  let rest = query.trim();
  const clauses: Clause[] = [];
  let joiner: 'AND' | 'OR' | undefined;
  while (rest.length > 0) {
    const match = CLAUSE.exec(rest);
    if (!match) {
      throw errors.invalidValue('query', `Invalid query: could not parse "${rest}". Use clauses such as email:'jenny@example.com' or metadata['key']:'value', joined by AND (or a space) or OR.`);
    }
    const [whole, negated, mdSingle, mdDouble, field, operator, single, double, number, isNull] = match;
    const metadataKey = mdSingle ?? mdDouble;
    const name = metadataKey !== undefined ? 'metadata' : field!;
    // Own fields only: `in` would also find inherited names such as constructor or __proto__.
    if (!Object.hasOwn(fields, name)) {
      throw errors.invalidValue('query', `Invalid query: the field "${name}" is not searchable here. Searchable fields: ${Object.keys(fields).join(', ')}.`);
    }
    const value = single !== undefined ? unescape(single) : double !== undefined ? unescape(double) : number !== undefined ? Number(number) : isNull ? null : null;
    if (operator === '~' && (typeof value !== 'string' || value.length < 3)) {
      throw errors.invalidValue('query', 'Invalid query: the ~ (substring) operator needs a quoted value of at least 3 characters.');
    }
    clauses.push({ negated: negated === '-', field: name, ...(metadataKey !== undefined ? { metadataKey: unescape(metadataKey) } : {}), operator: operator as Operator, value });
    rest = rest.slice(whole.length);
    if (rest.length === 0) break;
    // Clauses separated by a space alone are joined by AND, as Stripe reads them.
    const join = JOINER.exec(rest);
    const word = join ? (join[1]!.toUpperCase() as 'AND' | 'OR') : 'AND';
    if (joiner && joiner !== word) throw errors.invalidValue('query', 'Invalid query: a query cannot mix AND and OR.');
    joiner = word;
    if (join) rest = rest.slice(join[0].length);
  }
  if (clauses.length === 0) throw errors.parameterMissing('query');
  if (clauses.length > 10) throw errors.invalidValue('query', 'Invalid query: at most 10 clauses are allowed.');
  return { clauses, joiner: joiner ?? 'AND' };
}

function matches(clause: Clause, object: StripeObject, fields: SearchFields): boolean {
  let actual = fields[clause.field]!(object);
  if (clause.metadataKey !== undefined) actual = (actual as Record<string, string> | undefined)?.[clause.metadataKey];
  const expected = clause.value;
  let result: boolean;
  if (expected === null) result = actual === null || actual === undefined;
  else if (clause.operator === ':') {
    // Booleans are queried as strings: active:'true'.
    if (typeof actual === 'boolean') actual = String(actual);
    result = typeof expected === 'string' ? typeof actual === 'string' && actual.toLowerCase() === expected.toLowerCase() : actual === expected;
  } else if (clause.operator === '~') {
    result = typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase());
  } else {
    const a = Number(actual);
    const e = Number(expected);
    result = clause.operator === '>' ? a > e : clause.operator === '<' ? a < e : clause.operator === '>=' ? a >= e : a <= e;
  }
  return clause.negated ? !result : result;
}

/** `GET /v1/<resource>/search`: query, limit and the opaque `page` cursor Stripe hands back as `next_page`. */
export function search<T extends StripeObject>(items: T[], params: Params, url: string, fields: SearchFields): SearchResultObject<T> {
  const query = params.string('query', { required: true })!;
  const limit = readLimit(params);
  const page = params.string('page');
  let offset = 0;
  if (page !== undefined) {
    const decoded = /^off_(\d+)$/.exec(Buffer.from(page, 'base64url').toString());
    if (!decoded) throw errors.invalidValue('page', 'Invalid page: pass the next_page value of a previous search result.');
    offset = Number(decoded[1]);
  }
  const { clauses, joiner } = parseQuery(query, fields);
  const found = items.filter((item) =>
    joiner === 'AND' ? clauses.every((c) => matches(c, item, fields)) : clauses.some((c) => matches(c, item, fields)),
  );
  const data = found.slice(offset, offset + limit);
  const hasMore = offset + limit < found.length;
  return {
    object: 'search_result',
    data,
    has_more: hasMore,
    next_page: hasMore ? Buffer.from(`off_${offset + limit}`).toString('base64url') : null,
    url,
  };
}
