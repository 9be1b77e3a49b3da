/** Stripe's metadata: string values only, built on a null prototype so keys such as `__proto__` stay plain data. */
export type Metadata = Record<string, string>;

/** Any object in Stripe's JSON shape. Resource modules declare the fields they read. */
export interface StripeObject {
  id: string;
  object: string;
  [key: string]: unknown;
}

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export interface SearchResultObject<T> {
  object: 'search_result';
  data: T[];
  has_more: boolean;
  next_page: string | null;
  url: string;
}

/** What an event records about the API request that caused it (`null`s for automatic events). */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

export const AUTOMATIC_REQUEST: EventRequest = { id: null, idempotency_key: null };

export function emptyMetadata(): Metadata {
  return Object.create(null) as Metadata;
}
