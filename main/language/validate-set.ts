// Validates several Procedures together: each one's [[…]] references and recursion are checked
// against the others (and against any Procedures the base context already knows).
import { calledProcedures, validate, type Diagnostic, type ParseResult, type ValidationContext } from '../../shared/procedure';

export interface NamedParse {
  file: string;
  parsed: ParseResult;
}

export interface FileDiagnostics {
  file: string;
  diagnostics: Diagnostic[];
}

export function validateSet(entries: NamedParse[], base: ValidationContext = {}): FileDiagnostics[] {
  const procedures: Record<string, { calls: string[] }> = { ...(base.procedures ?? {}) };
  const owner = new Map<string, string>();
  const duplicates = new Map<string, Diagnostic>();
  for (const { file, parsed } of entries) {
    const header = parsed.document.frontMatter?.header;
    if (!header?.name) continue;
    const earlier = owner.get(header.name);
    if (earlier !== undefined) {
      duplicates.set(file, {
        severity: 'error',
        code: 'duplicate-procedure',
        message: `${earlier} already defines a Procedure called "${header.name}": give each Procedure its own name.`,
        span: header.nameSpan ?? header.span,
      });
      continue;
    }
    owner.set(header.name, file);
    procedures[header.name] = { calls: calledProcedures(parsed.document) };
  }
  const context: ValidationContext = { ...base, procedures };
  return entries.map(({ file, parsed }) => {
    const diagnostics = [...parsed.diagnostics, ...validate(parsed.document, context)];
    const duplicate = duplicates.get(file);
    if (duplicate) diagnostics.push(duplicate);
    diagnostics.sort((a, b) => a.span.start.offset - b.span.start.offset);
    return { file, diagnostics };
  });
}
