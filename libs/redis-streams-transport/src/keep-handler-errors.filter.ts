import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns any handler error into "Internal server error"; with this filter
 * the transport sees (and dead-letters with) the handler's own error. Register it with
 * `app.useGlobalFilters(new KeepHandlerErrors())` on the consuming microservice.
 */
@Catch()
export class KeepHandlerErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
