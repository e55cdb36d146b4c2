/**
 * OpenFGA's error codes. On the wire the SDK sees an HTTP status and `{code, message}` with the string name;
 * the numeric value is what OpenFGA's gRPC API (and its conformance harness) compares. The numbers and the
 * status-by-range rule are those of openfga/api `errors_ignore.proto` and the server's `encoded_errors.go`.
 */
export const FGA_ERROR_CODES = {
  // 2xxx: invalid input → HTTP 400
  validation_error: 2000,
  authorization_model_not_found: 2001,
  authorization_model_resolution_too_complex: 2002,
  invalid_write_input: 2003,
  cannot_allow_duplicate_tuples_in_one_request: 2004,
  cannot_allow_duplicate_types_in_one_request: 2005,
  cannot_allow_multiple_references_to_one_relation: 2006,
  invalid_continuation_token: 2007,
  invalid_tuple_set: 2008,
  invalid_check_input: 2009,
  invalid_expand_input: 2010,
  unsupported_user_set: 2011,
  invalid_object_format: 2012,
  write_failed_due_to_invalid_input: 2017,
  authorization_model_assertions_not_found: 2018,
  latest_authorization_model_not_found: 2020,
  type_not_found: 2021,
  relation_not_found: 2022,
  empty_relation_definition: 2023,
  invalid_user: 2025,
  invalid_tuple: 2027,
  unknown_relation: 2028,
  store_id_invalid_length: 2030,
  assertions_too_many_items: 2033,
  id_too_long: 2034,
  authorization_model_id_too_long: 2036,
  tuple_key_value_not_specified: 2037,
  tuple_keys_too_many_or_too_few_items: 2038,
  page_size_invalid: 2039,
  param_missing_value: 2040,
  difference_base_missing_value: 2041,
  subtract_base_missing_value: 2042,
  object_too_long: 2043,
  relation_too_long: 2044,
  type_definitions_too_few_items: 2045,
  type_invalid_length: 2046,
  type_invalid_pattern: 2047,
  relations_too_few_items: 2048,
  relations_too_long: 2049,
  relations_invalid_pattern: 2050,
  object_invalid_pattern: 2051,
  query_string_type_continuation_token_mismatch: 2052,
  exceeded_entity_limit: 2053,
  invalid_contextual_tuple: 2054,
  duplicate_contextual_tuple: 2055,
  invalid_authorization_model: 2056,
  unsupported_schema_version: 2057,
  cancelled: 2058,
  invalid_start_time: 2059,
  // 3xxx → HTTP 422
  throttled_timeout_error: 3500,
  // 4xxx → HTTP 500
  internal_error: 4000,
  deadline_exceeded: 4004,
  // 5xxx → HTTP 404
  undefined_endpoint: 5000,
  store_id_not_found: 5002,
  unimplemented: 5004,
} as const;

export type FgaErrorCode = keyof typeof FGA_ERROR_CODES;

/** HTTP status by code range, as OpenFGA's HTTP gateway maps them. */
export function httpStatusForCode(numeric: number): number {
  if (numeric >= 1000 && numeric < 2000) return 401;
  if (numeric >= 2000 && numeric < 3500) return 400;
  if (numeric >= 3500 && numeric < 4000) return 422;
  if (numeric >= 4000 && numeric < 5000) return 500;
  return 404;
}

/** The numeric code for a string code the SDK reports as `apiErrorCode`, e.g. "invalid_tuple" → 2027. */
export function numericErrorCode(code: string): number | undefined {
  return (FGA_ERROR_CODES as Record<string, number>)[code];
}

/** An error the API reports as `{code, message}` with the code's HTTP status. */
export class FgaError extends Error {
  constructor(
    readonly code: FgaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "FgaError";
  }

  get numericCode(): number {
    return FGA_ERROR_CODES[this.code];
  }

  get httpStatus(): number {
    return httpStatusForCode(this.numericCode);
  }

  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const validationError = (message: string) => new FgaError("validation_error", message);

/** OpenFGA's wording for the depth limit (resolveNodeLimit). */
export const resolutionTooComplex = () =>
  new FgaError(
    "authorization_model_resolution_too_complex",
    "Authorization Model resolution required too many rewrite rules to be resolved. Check your authorization model for infinite recursion or too much nesting",
  );
