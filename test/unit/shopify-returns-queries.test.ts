import { parse, validate } from 'graphql';
import { adminSchema } from '../../src/sandbox/shopify/schema';
import {
  ACCESS_SCOPES_QUERY, ORDER_ALL_REFUNDS_QUERY, ORDER_RETURNS_QUERY, ORDERS_PAGE_QUERY, RETURN_LINES_QUERY, bulkOrdersQuery,
} from '../../src/sources/shopify/queries';

describe('the returns and refunds queries validate against the Admin API 2026-10 schema', () => {
  test.each([
    ['ORDERS_PAGE_QUERY', ORDERS_PAGE_QUERY],
    ['ORDER_RETURNS_QUERY', ORDER_RETURNS_QUERY],
    ['RETURN_LINES_QUERY', RETURN_LINES_QUERY],
    ['ORDER_ALL_REFUNDS_QUERY', ORDER_ALL_REFUNDS_QUERY],
    ['ACCESS_SCOPES_QUERY', ACCESS_SCOPES_QUERY],
    ['bulk export', bulkOrdersQuery(null)],
  ])('%s', (_name, query) => {
    expect(validate(adminSchema(), parse(query)).map((e) => e.message)).toEqual([]);
  });

  test('a misspelt field is refused (the check can fail)', () => {
    expect(validate(adminSchema(), parse('query { order(id: "gid://shopify/Order/1") { returns(first: 1) { nodes { statuss } } } }'))).not.toHaveLength(0);
  });
});
