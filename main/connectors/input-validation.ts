// Checks an action's input against its JSON Schema before anything is called, with Ajv (the
// JSON Schema validator the MCP SDK uses too) and ajv-formats for "format": "email" and the like.
// Schemas come from definitions, OpenAPI documents and MCP servers, so unknown keywords are
// tolerated (strict: false) and each schema is compiled once.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
addFormats(ajv);

const compiled = new Map<string, ValidateFunction | string>();

/** Problems with `input`, one sentence each; empty when it fits the schema. */
export function inputProblems(schema: Record<string, unknown>, input: unknown): string[] {
  const validate = compile(schema);
  if (typeof validate === 'string') return [validate];
  if (validate(input)) return [];
  return (validate.errors ?? []).slice(0, 5).map(describe);
}

function compile(schema: Record<string, unknown>): ValidateFunction | string {
  // Which draft a schema names does not matter for the keywords actions use; Ajv's default reads them all.
  const { $schema: _ignored, $id: _id, ...rest } = schema;
  const key = JSON.stringify(rest);
  let validate = compiled.get(key);
  if (validate === undefined) {
    try {
      validate = ajv.compile(rest);
    } catch (error) {
      validate = `the action's input schema cannot be used: ${(error as Error).message}`;
    }
    compiled.set(key, validate);
  }
  return validate;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'the input';
  switch (error.keyword) {
    case 'required':
      return `${error.instancePath ? `${where}: ` : ''}"${(error.params as { missingProperty: string }).missingProperty}" is required`;
    case 'additionalProperties':
      return `${error.instancePath ? `${where}: ` : ''}"${(error.params as { additionalProperty: string }).additionalProperty}" is not an input of this action`;
    case 'enum':
      return `${where} must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return `${where} ${error.message ?? 'is not valid'}`;
  }
}
