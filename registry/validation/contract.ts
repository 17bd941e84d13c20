/**
 * The schema-validation seam. The registry compiles one validator per method's params and result
 * (once, at startup) and runs it on every call; the default implementation is ajv, and an app may
 * register another under `SchemaValidatorToken`.
 */
import type { InjectionToken } from 'tsyringe';
import type { JsonSchema } from '../manifest';

/** One violation, with a JSON-pointer-like path into the checked value. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** A compiled check: `[]` means valid. */
export type CompiledValidator = (value: unknown) => SchemaIssue[];

/** Compiles JSON Schemas. `compile` throws on an invalid schema, naming `label`. */
export interface ISchemaValidator {
  compile(schema: JsonSchema, label: string): CompiledValidator;
}

/** DI token for the schema validator. */
export const SchemaValidatorToken: InjectionToken<ISchemaValidator> = Symbol('skaffa.SchemaValidator');

/** Formats issues as `path: message; path: message`. */
export function formatIssues(issues: SchemaIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
