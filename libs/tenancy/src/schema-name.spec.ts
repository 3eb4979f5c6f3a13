import { assertSchemaName, quoteSchema, schemaNameFor, tenantSearchPath } from './schema-name';

describe('tenant schema names', () => {
  it('derives the schema from the tenant id only', () => {
    expect(schemaNameFor('01a21428-2d69-7345-a41f-e66e7b5812e0')).toBe('t_01a214282d697345a41fe66e7b5812e0');
  });

  it.each(['acme', 'ACME', "x'; drop schema platform; --", '01A21428-2D69-7345-A41F-E66E7B5812E0', ''])('refuses a non-UUID id %j', (id) => {
    expect(() => schemaNameFor(id)).toThrow();
  });

  it.each(['public', 'platform', 't_x', 't_01a214282d697345a41fe66e7b5812e0"; drop', 'T_01A214282D697345A41FE66E7B5812E0'])('refuses to quote %j', (name) => {
    expect(() => quoteSchema(name)).toThrow();
    expect(() => assertSchemaName(name)).toThrow();
  });

  it('quotes and puts platform after the tenant in the search path', () => {
    expect(tenantSearchPath('t_01a214282d697345a41fe66e7b5812e0')).toBe('"t_01a214282d697345a41fe66e7b5812e0",platform');
  });
});
