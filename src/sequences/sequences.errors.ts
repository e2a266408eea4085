import { DomainError, ErrorCode, conflict, notFound } from '../common/errors/domain-error.js';

/** NOT_FOUND for an unknown id or another organization's (the caller cannot tell which). */
export const sequenceNotFound = (id: string) => notFound('Sequence', id);
export const enrollmentNotFound = (id: string) => notFound('Enrollment', id);

/** NOT_FOUND for an id given in an input field. */
export const notFoundIn = (field: string, what: string, id: string) =>
  new DomainError(ErrorCode.NOT_FOUND, `${what} ${id} was not found`, { field });

export const illegalTransition = (action: string, what: string, status: string) =>
  conflict(`Cannot ${action} a ${what} that is ${status}`, { status, action });
