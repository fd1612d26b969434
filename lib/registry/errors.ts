// Errors of registry conversations. The shared ErrorCode list has no registry code, so each
// failure carries the nearest one (E_NOT_FOUND, E_INTEGRITY, E_USAGE for refused credentials,
// E_STORE otherwise) plus what the registry said: the HTTP status and its error codes.
import { TsbuildError, type ErrorCode } from '../errors.js';

export type RegistryFailure = 'auth' | 'denied' | 'not-found' | 'integrity' | 'network' | 'protocol';

const CODES: Readonly<Record<RegistryFailure, ErrorCode>> = {
  auth: 'E_USAGE',
  denied: 'E_USAGE',
  'not-found': 'E_NOT_FOUND',
  integrity: 'E_INTEGRITY',
  network: 'E_STORE',
  protocol: 'E_STORE',
};

export class RegistryError extends TsbuildError {
  constructor(readonly failure: RegistryFailure, message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(CODES[failure], message, options);
  }
}

/** The distribution API's error body (`{"errors":[{"code","message"}]}`) as one line, when present. */
export function describeErrorBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string }[] };
    const parts = (parsed.errors ?? []).map((error) => [error.code, error.message].filter(Boolean).join(': '));
    if (parts.length > 0) return parts.join('; ');
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.trim().slice(0, 200);
}
