import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type StripeObject = Record<string, unknown>;

/**
 * Stripe's published example object for every API resource (stripe/openapi's
 * openapi/fixtures3.json), read where it lives and never copied into this repository:
 * VIBES_STRIPE_FIXTURES, else shared/stripe/fixtures3.json beside the repository.
 */
export const STRIPE_FIXTURES_BESIDE_REPOSITORY = fileURLToPath(new URL('../../../shared/stripe/fixtures3.json', import.meta.url));
export const STRIPE_FIXTURES_PATH = process.env.VIBES_STRIPE_FIXTURES || STRIPE_FIXTURES_BESIDE_REPOSITORY;

let resources: Record<string, StripeObject> | undefined;

/** Every resource's example, by name (`customer`, `checkout.session`, …); read once. */
export function stripeFixtures(): Readonly<Record<string, StripeObject>> {
  if (!resources) {
    if (!existsSync(STRIPE_FIXTURES_PATH)) {
      throw new Error(
        `Stripe's published fixtures are not at ${STRIPE_FIXTURES_PATH}. These tests build on Stripe's own example objects: ` +
          'put openapi/fixtures3.json of the stripe/openapi repository at shared/stripe/fixtures3.json beside this repository, ' +
          'or set VIBES_STRIPE_FIXTURES to its path.',
      );
    }
    resources = (JSON.parse(readFileSync(STRIPE_FIXTURES_PATH, 'utf8')) as { resources: Record<string, StripeObject> }).resources;
  }
  return resources;
}

/** A copy of Stripe's example object for one resource, to change freely. */
export function stripeExample(resource: string): StripeObject {
  const example = stripeFixtures()[resource];
  if (!example) throw new Error(`no example "${resource}" in ${STRIPE_FIXTURES_PATH}`);
  return structuredClone(example);
}
