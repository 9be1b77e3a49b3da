import { isRecord } from '../core/index.js';
import { errors } from './errors.js';
import { emptyMetadata, type Metadata } from './types.js';

type Raw = Record<string, unknown>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads form-decoded Stripe parameters the way the API validates them: unknown names are refused
 * (`parameter_unknown`), wrong types are `parameter_invalid_*`, and nested names are reported as
 * Stripe prints them (`line_items[0][price]`). Every read marks the name as known; call `done()`
 * after reading to refuse the rest.
 */
export class Params {
  private readonly known = new Set<string>(['expand']);

  constructor(
    private readonly raw: Raw,
    private readonly prefix = '',
  ) {}

  static of(value: unknown, prefix = ''): Params {
    return new Params(isRecord(value) ? value : {}, prefix);
  }

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    this.known.add(key);
    return this.raw[key] !== undefined;
  }

  /** Declares parameters that are accepted and deliberately ignored by the emulator. */
  accept(...keys: string[]): this {
    for (const key of keys) this.known.add(key);
    return this;
  }

  string(key: string, opts: { required?: boolean; max?: number; allowEmpty?: boolean } = {}): string | undefined {
    this.known.add(key);
    const value = this.raw[key];
    if (value === undefined) {
      if (opts.required) throw errors.parameterMissing(this.name(key));
      return undefined;
    }
    if (typeof value !== 'string') throw errors.invalidValue(this.name(key), `Invalid string: ${JSON.stringify(value)}`);
    if (value === '' && !opts.allowEmpty) {
      if (opts.required) throw errors.parameterMissing(this.name(key));
      throw errors.emptyString(this.name(key));
    }
    if (opts.max !== undefined && value.length > opts.max) {
      throw errors.invalidValue(this.name(key), `Invalid ${this.name(key)}: must be at most ${opts.max} characters`);
    }
    return value;
  }

  /** A string that may be sent as '' to unset it (`null` then). */
  nullableString(key: string, opts: { max?: number } = {}): string | null | undefined {
    const value = this.string(key, { ...opts, allowEmpty: true });
    return value === '' ? null : value;
  }

  email(key: string, opts: { required?: boolean } = {}): string | null | undefined {
    const value = this.string(key, { ...opts, allowEmpty: !opts.required, max: 512 });
    if (value === undefined) return undefined;
    if (value === '') return null;
    if (!EMAIL.test(value)) throw errors.emailInvalid(this.name(key), value);
    return value;
  }

  integer(key: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    this.known.add(key);
    const value = this.raw[key];
    if (value === undefined) {
      if (opts.required) throw errors.parameterMissing(this.name(key));
      return undefined;
    }
    const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n)) throw errors.invalidInteger(this.name(key), value);
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    if (n < min || n > max) throw errors.integerOutOfRange(this.name(key), min, max);
    return n;
  }

  boolean(key: string): boolean | undefined {
    this.known.add(key);
    const value = this.raw[key];
    if (value === undefined) return undefined;
    // stripe-python before 12 sends Python's `True`/`False`, and Stripe takes them.
    if (typeof value === 'string' && /^true$/i.test(value)) return true;
    if (typeof value === 'string' && /^false$/i.test(value)) return false;
    throw errors.invalidValue(this.name(key), `Invalid boolean: ${JSON.stringify(value)}`);
  }

  enumeration<T extends string>(key: string, values: readonly T[], opts: { required?: boolean } = {}): T | undefined {
    const value = this.string(key, opts);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw errors.invalidValue(this.name(key), `Invalid ${this.name(key)}: must be one of ${values.join(', ')}`);
    }
    return value as T;
  }

  /** Whether `key` was sent as a hash (`key[gte]=…`) rather than a plain value. */
  isHash(key: string): boolean {
    return isRecord(this.raw[key]);
  }

  /** A nested hash such as `subscription_data[...]`; its own unknown keys are refused by its `done()`. */
  object(key: string, opts: { required?: boolean } = {}): Params | undefined {
    this.known.add(key);
    const value = this.raw[key];
    if (value === undefined || value === '') {
      if (opts.required) throw errors.parameterMissing(this.name(key));
      return undefined;
    }
    if (!isRecord(value)) throw errors.invalidValue(this.name(key), `Invalid object: ${this.name(key)} must be a hash`);
    return new Params(value, this.name(key));
  }

  /** An array sent as `key[0][…]`; qs may decode long or sparse ones as objects keyed by index. */
  array(key: string, opts: { required?: boolean } = {}): unknown[] | undefined {
    this.known.add(key);
    const value = this.raw[key];
    if (value === undefined || value === '') {
      if (opts.required) throw errors.parameterMissing(this.name(key));
      return undefined;
    }
    if (Array.isArray(value)) return value;
    if (isRecord(value) && Object.keys(value).every((k) => /^\d+$/.test(k))) {
      return Object.keys(value)
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => value[k]);
    }
    throw errors.invalidValue(this.name(key), `Invalid array: ${this.name(key)} must be a list`);
  }

  stringArray(key: string, opts: { required?: boolean } = {}): string[] | undefined {
    const items = this.array(key, opts);
    if (items === undefined) return undefined;
    return items.map((item, i) => {
      if (typeof item !== 'string' || item === '') throw errors.invalidValue(`${this.name(key)}[${i}]`, `Invalid string: ${JSON.stringify(item)}`);
      return item;
    });
  }

  /**
   * Stripe's metadata rules: at most 50 keys, keys up to 40 characters, values up to 500; on
   * update, `metadata[k]=''` removes k and `metadata=''` removes every key.
   */
  metadata(key = 'metadata', current?: Metadata): Metadata | undefined {
    this.known.add(key);
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (value === '') return emptyMetadata();
    if (!isRecord(value)) throw errors.invalidValue(this.name(key), `Invalid hash: ${this.name(key)} must be a set of key-value pairs`);
    const next = emptyMetadata();
    if (current) for (const [k, v] of Object.entries(current)) next[k] = v;
    for (const [k, v] of Object.entries(value)) {
      const param = `${this.name(key)}[${k}]`;
      if (typeof v !== 'string') throw errors.invalidValue(param, `Invalid metadata value for ${k}: metadata values must be strings`);
      if (k.length === 0 || k.length > 40) {
        throw errors.invalidValue(param, `Metadata keys can have up to 40 characters, but you passed in a key that is ${k.length} characters.`);
      }
      if (v.length > 500) {
        throw errors.invalidValue(param, `Metadata values can have up to 500 characters, but you passed in a value that is ${v.length} characters.`);
      }
      if (v === '') delete next[k];
      else next[k] = v;
    }
    if (Object.keys(next).length > 50) {
      throw errors.invalidValue(this.name(key), 'You can have at most 50 metadata keys on an object.');
    }
    return next;
  }

  /** `expand[]` paths such as `customer` or `data.subscription`. */
  expand(): string[] {
    const value = this.raw.expand;
    if (value === undefined) return [];
    const list = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [value];
    return list.filter((item): item is string => typeof item === 'string' && item !== '');
  }

  /** Parameters Stripe takes and the emulator does not implement: refused by name, not as unknown. */
  notEmulated(...keys: string[]): void {
    for (const key of keys) {
      this.known.add(key);
      if (this.raw[key] !== undefined) throw errors.notEmulated(this.name(key));
    }
  }

  /** Refuses every parameter that no reader asked for, as Stripe does. */
  done(): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.known.has(key)) throw errors.parameterUnknown(this.name(key));
    }
  }
}
