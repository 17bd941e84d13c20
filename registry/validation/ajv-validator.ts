/**
 * The default `ISchemaValidator`, on ajv (draft-07). Paths are reported from the root of the
 * checked value (`/limit`, `/matches/0/path`) so an `INVALID_PARAMS` message points at the field.
 */
import Ajv, { type ErrorObject } from 'ajv';
import type { JsonSchema } from '../manifest';
import type { CompiledValidator, ISchemaValidator, SchemaIssue } from './contract';

export class AjvSchemaValidator implements ISchemaValidator {
  // strict:false tolerates annotation keywords other tools add; allErrors:false stops at the first
  // error, which is all a caller needs and keeps the hot path short.
  private readonly ajv = new Ajv({ strict: false, allErrors: false });

  compile(schema: JsonSchema, label: string): CompiledValidator {
    let validate;
    try {
      validate = this.ajv.compile(schema);
    } catch (e) {
      throw new Error(`invalid JSON Schema for ${label}: ${(e as Error).message}`);
    }
    return (value: unknown) => (validate(value) ? [] : toIssues(validate.errors ?? []));
  }
}

function toIssues(errors: ErrorObject[]): SchemaIssue[] {
  return errors.map((e) => {
    let path = e.instancePath || '/';
    if (e.keyword === 'required') path = `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties') {
      path = `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`;
    }
    return { path, message: e.message ?? e.keyword };
  });
}
