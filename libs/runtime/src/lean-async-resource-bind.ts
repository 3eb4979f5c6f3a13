import { AsyncResource } from 'node:async_hooks';

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Node 20's `AsyncResource#bind` gives each bound function the deprecated `asyncResource`
 * property (DEP0172) through two `util.deprecate` wrappers, and each wrapper re-parents a fresh
 * function with `Object.setPrototypeOf`. That costs about 11 µs a call on this machine
 * (nodejs/node#58218; Node 24 stopped re-parenting in #59195), and Fastify binds once for every
 * request with a body (its content-type parser): 2 to 3 % of an introspection's CPU.
 *
 * This puts back the contract bind documents without the deprecated property: the function runs in
 * the resource's execution context (so AsyncLocalStorage sees the request's store), with
 * `thisArg`, or else the caller's `this`, and returns what the function returns. Does nothing on a
 * Node whose bind no longer adds the property. Returns whether it replaced bind.
 */
export function installLeanAsyncResourceBind(): boolean {
  const probe = new AsyncResource('credence:bind-probe', { requireManualDestroy: true });
  const bound = probe.bind(() => undefined);
  if (Object.getOwnPropertyDescriptor(bound, 'asyncResource')?.get === undefined) return false;
  AsyncResource.prototype.bind = function bind<Func extends AnyFunction>(this: AsyncResource, fn: Func, thisArg?: unknown): Func {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    return boundTo(this, fn, thisArg);
  } as typeof AsyncResource.prototype.bind;
  return true;
}

function boundTo<Func extends AnyFunction>(resource: AsyncResource, fn: Func, thisArg: unknown): Func {
  if (thisArg !== undefined) return resource.runInAsyncScope.bind(resource, fn, thisArg) as unknown as Func;
  return function (this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn, this, ...args);
  } as Func;
}
