/** A JSON Schema (2020-12) object. */
export type JsonSchema = Record<string, unknown>;

/** How a text value from the URL or a header becomes a variable's value. */
export type ParameterParse = 'string' | 'integer' | 'number' | 'boolean' | 'json';

/** A variable given in the path, the query string or a header. */
export interface RestParameter {
  /** Name in the path template, the query string or the header (`Idempotency-Key`). */
  name: string;
  in: 'path' | 'query' | 'header';
  /** The operation variable it sets. */
  variable: string;
  parse: ParameterParse;
  /** A list: repeated query parameters (`?states=FIRING&states=ACKNOWLEDGED`). */
  list: boolean;
  required: boolean;
}

/**
 * One endpoint under /api/v1, generated from one named operation of schema/operations (see
 * docs/decisions/017-rest-and-core-compatibility.md). Reads are GET with query parameters; writes POST or PATCH
 * with a JSON body.
 */
export interface RestRoute {
  /** The operation's name, also the OpenAPI `operationId`. */
  operationName: string;
  operationType: 'query' | 'mutation';
  method: 'GET' | 'POST' | 'PATCH';
  /** Path template below /api/v1, for example `/incidents/{id}`. */
  path: string;
  /** Status of a successful answer: 201 for creations, else 200. */
  successStatus: 200 | 201;
  /** The operation document sent through the gateway (the trusted-document form). */
  document: string;
  parameters: RestParameter[];
  /**
   * The JSON body: `variable` when the whole body is one input object (`$input`), else `fields`: variables
   * given as the body's members. Absent for GET.
   */
  body?: { variable: string } | { fields: string[] };
  /** Schema of the variables as a whole (path, query, header and body together), checked before running. */
  variablesSchema: JsonSchema;
  /** Response key of the root field whose value the answer's `data` is. */
  root: string;
  /** The list paged by `after`, relative to `data`, and the variable holding its page size. */
  paging?: { path: string[]; firstVariable?: string };
  /** Where `providerErrors` lists sit in `data`; they are lifted into the answer's own `providerErrors`. */
  providerErrorPaths: string[][];
}
