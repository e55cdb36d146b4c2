/** OpenFGA's default limits, which the sandbox enforces the same way so that code written against it fits a real server. */

/** Contextual tuples per request (proto validation: `max_items: 100`). */
export const MAX_CONTEXTUAL_TUPLES = 100;
/** Checks per batch-check request (`OPENFGA_MAX_CHECKS_PER_BATCH_CHECK`). */
export const MAX_CHECKS_PER_BATCH = 50;
/** Results of list-objects and list-users (`listObjectsMaxResults`, `listUsersMaxResults`); streamed list-objects has none. */
export const DEFAULT_MAX_RESULTS = 1000;
/** Tuples written plus deleted per write request (`maxTuplesPerWrite`). */
export const MAX_TUPLES_PER_WRITE = 100;
/** ReadChanges' page size: the default when none is asked for (`storage.DefaultPageSize`) and the largest allowed (`readChangesMaxPageSize`, `OPENFGA_READ_CHANGES_MAX_PAGE_SIZE`). */
export const READ_CHANGES_DEFAULT_PAGE_SIZE = 50;
export const READ_CHANGES_MAX_PAGE_SIZE = 100;
