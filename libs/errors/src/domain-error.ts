import { ERROR_CODES, ErrorCode, statusOf } from './error-codes';

export interface ErrorDetail {
  field?: string;
  issue: string;
}

/** Thrown by domain code; each transport maps it (HTTP status, RPC reply, job failure). */
export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'DomainError';
    this.status = statusOf(code);
  }

  get category() {
    return ERROR_CODES[this.code].category;
  }
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; trace_id: string; details?: ErrorDetail[] };
}

export function toEnvelope(err: DomainError, traceId: string): ErrorEnvelope {
  return {
    error: { code: err.code, message: err.message, trace_id: traceId, ...(err.details?.length ? { details: err.details } : {}) },
  };
}
