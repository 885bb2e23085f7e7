/**
 * The parts of JSON Schema (draft 2020-12) and OpenAPI 3.1 that express-pat's document uses,
 * typed just enough to build it without `any`. Every value is plain JSON.
 */

/** A JSON Schema (draft 2020-12) as the document writes it. */
export interface JsonSchema {
  readonly $ref?: string;
  readonly $comment?: string;
  readonly title?: string;
  readonly description?: string;
  readonly type?: JsonType | readonly JsonType[];
  readonly enum?: readonly JsonValue[];
  readonly const?: JsonValue;
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly allOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;
  readonly default?: JsonValue;
  readonly examples?: readonly JsonValue[];
}

/** JSON Schema's type names. */
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** An OpenAPI 3.1 security scheme (the kinds express-pat's document can name). */
export type OpenApiSecurityScheme =
  | { readonly type: 'http'; readonly scheme: string; readonly bearerFormat?: string; readonly description?: string }
  | { readonly type: 'apiKey'; readonly in: 'header' | 'query' | 'cookie'; readonly name: string; readonly description?: string }
  | { readonly type: 'openIdConnect'; readonly openIdConnectUrl: string; readonly description?: string };

/** One security requirement: scheme name → scopes. */
export type OpenApiSecurityRequirement = Readonly<Record<string, readonly string[]>>;

/** A media type entry of a request or response body. */
export interface OpenApiMediaType {
  readonly schema: JsonSchema;
}

/** A response header. */
export interface OpenApiHeader {
  readonly description: string;
  readonly schema: JsonSchema;
}

/** One response of an operation. */
export interface OpenApiResponse {
  readonly description: string;
  readonly headers?: Readonly<Record<string, OpenApiHeader>>;
  readonly content?: Readonly<Record<string, OpenApiMediaType>>;
}

/** A path parameter. */
export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly description?: string;
  readonly schema: JsonSchema;
}

/** One operation (a method on a path). */
export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly parameters?: readonly OpenApiParameter[];
  readonly requestBody?: {
    readonly description?: string;
    readonly required: boolean;
    readonly content: Readonly<Record<string, OpenApiMediaType>>;
  };
  readonly responses: Readonly<Record<string, OpenApiResponse>>;
  /** Who may call it; an empty list means anyone. Left out when the caller's login is not described. */
  readonly security?: readonly OpenApiSecurityRequirement[];
  /** express-pat's own note of who may call it: `public`, `token` (any valid token) or `user`. */
  readonly 'x-express-pat-access': string;
}

/** The HTTP methods the management routes use. */
export type HttpMethod = 'get' | 'post' | 'delete';

/** An OpenAPI 3.1 document as `pat.openapi()` returns it. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly servers?: readonly { readonly url: string }[];
  readonly paths: Readonly<Record<string, Partial<Readonly<Record<HttpMethod, OpenApiOperation>>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly securitySchemes: Readonly<Record<string, OpenApiSecurityScheme>>;
  };
}
