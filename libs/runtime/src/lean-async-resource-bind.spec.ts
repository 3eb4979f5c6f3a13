import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installLeanAsyncResourceBind } from './lean-async-resource-bind';

// Jest runs several files in one process and AsyncResource is Node's own: an app another file built
// may have installed the lean bind already, so these tests hold whichever ran first.
describe('installLeanAsyncResourceBind', () => {
  it('leaves bound functions without the deprecated property, and a second install changes nothing', () => {
    installLeanAsyncResourceBind();
    const installed = AsyncResource.prototype.bind;
    expect(
      Object.getOwnPropertyDescriptor(
        new AsyncResource('test').bind(() => 1),
        'asyncResource',
      ),
    ).toBeUndefined();
    expect(installLeanAsyncResourceBind()).toBe(false);
    expect(AsyncResource.prototype.bind).toBe(installed);
  });

  it('runs the bound function in the context it was bound in, not the one it is called from', () => {
    installLeanAsyncResourceBind();
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('request-1', () => new AsyncResource('test').bind(() => storage.getStore()));
    expect(storage.run('request-2', () => bound())).toBe('request-1');
    expect(bound()).toBe('request-1');
  });

  it('passes the arguments and the caller’s this, or thisArg, and returns the result', () => {
    installLeanAsyncResourceBind();
    const resource = new AsyncResource('test');
    function describeCall(this: { name?: string } | undefined, a: number, b: number) {
      return `${this?.name ?? 'none'}:${a + b}`;
    }
    const withCallerThis = resource.bind(describeCall);
    expect(withCallerThis.call({ name: 'caller' }, 2, 3)).toBe('caller:5');
    // thisArg is documented for bind but missing from @types/node.
    const bindWithThis = resource.bind as unknown as (fn: typeof describeCall, thisArg: unknown) => typeof describeCall;
    const withThisArg = bindWithThis.call(resource, describeCall, { name: 'fixed' });
    expect(withThisArg.call({ name: 'caller' }, 1, 1)).toBe('fixed:2');
    expect(AsyncResource.bind((x: number) => x * 2)(21)).toBe(42);
  });

  it('still refuses a non-function', () => {
    installLeanAsyncResourceBind();
    // Matched by message: the installing file's TypeError may come from another realm than this one's.
    expect(() => new AsyncResource('test').bind('not a function' as unknown as () => void)).toThrow(/must be of type function/);
  });

  it('lets an error thrown by the bound function reach the caller', () => {
    installLeanAsyncResourceBind();
    const bound = new AsyncResource('test').bind(() => {
      throw new RangeError('boom');
    });
    expect(() => bound()).toThrow('boom');
  });
});
