// The YAML front matter: name, trigger, description, sub_procedure flag, typed attributes and the
// escalation teams.
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type Pair } from 'yaml';
import { ATTRIBUTE_TYPES, ESCALATION_REASONS, type AttributeDecl, type AttributeType, type Diagnostic, type EscalationTeam, type FrontMatter, type Header, type Span } from './ast';
import type { Source } from './source';

const HEADER_KEYS = ['name', 'trigger', 'description', 'sub_procedure', 'attributes', 'escalation'] as const;
const ATTRIBUTE_KEYS = ['type', 'description', 'values', 'items', 'required'] as const;
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface FrontMatterResult {
  frontMatter: FrontMatter | null;
  /** First line (1-based) of the body, after the front matter. */
  bodyStartLine: number;
}

const isFence = (text: string) => /^---\s*$/.test(text);

export function parseFrontMatter(source: Source, diagnostics: Diagnostic[]): FrontMatterResult {
  const first = source.lines[0];
  if (!first || !isFence(first.text)) {
    return { frontMatter: null, bodyStartLine: 1 };
  }
  let closing = source.lines.findIndex((line, index) => index > 0 && (isFence(line.text) || /^\.\.\.\s*$/.test(line.text)));
  let bodyStartLine: number;
  if (closing === -1) {
    // Mid-typing: keep going so the rest of the document still parses.
    const firstStep = source.lines.findIndex((line, index) => index > 0 && line.text.startsWith('## '));
    closing = firstStep === -1 ? source.lines.length : firstStep;
    bodyStartLine = closing + 1;
    diagnostics.push({
      severity: 'error',
      code: 'unclosed-front-matter',
      message: 'The front matter that starts on line 1 is never closed: add a line with just --- after it.',
      span: source.lineSpan(1),
    });
  } else {
    bodyStartLine = closing + 2;
  }
  const rawStart = source.lines[1]?.offset ?? source.text.length;
  const rawEndLine = source.lines[closing];
  const rawEnd = rawEndLine ? rawEndLine.offset : source.text.length;
  const raw = source.text.slice(Math.min(rawStart, rawEnd), rawEnd);
  const lastLine = Math.max(1, Math.min(closing + 1, source.lines.length));
  const span: Span = source.linesSpan(1, lastLine);
  // The editor re-parses on every keystroke, nearly always with the front matter unchanged; the
  // header depends on nothing but the text up to the closing fence, so reuse the last result.
  const key = `${bodyStartLine}\u0000${source.text.slice(0, span.end.offset)}`;
  if (lastHeader?.key !== key) {
    const headerDiagnostics: Diagnostic[] = [];
    lastHeader = { key, header: readHeader(raw, rawStart, source, span, headerDiagnostics), diagnostics: headerDiagnostics };
  }
  diagnostics.push(...lastHeader.diagnostics);
  return { frontMatter: { raw, header: lastHeader.header }, bodyStartLine };
}

/** The header is shared between parses of the same front matter: treat it as read-only. */
let lastHeader: { key: string; header: Header; diagnostics: Diagnostic[] } | null = null;

function emptyHeader(span: Span): Header {
  return { name: null, trigger: null, description: null, subProcedure: false, attributes: [], escalation: [], span };
}

function readHeader(raw: string, rawStart: number, source: Source, span: Span, diagnostics: Diagnostic[]): Header {
  const header = emptyHeader(span);
  const spanOf = (node: { range?: [number, number, number] | null } | null | undefined): Span => {
    if (!node?.range) return span;
    return { start: source.positionOfOffset(rawStart + node.range[0]), end: source.positionOfOffset(rawStart + node.range[1]) };
  };
  const report = (severity: Diagnostic['severity'], code: string, message: string, at: Span) =>
    diagnostics.push({ severity, code, message, span: at });

  let doc;
  try {
    // A lone CR ends a line here as everywhere else; as LF it keeps every offset where it was.
    doc = parseDocument(raw.replace(/\r(?!\n)/g, '\n'), { prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    report('error', 'yaml', `The front matter is not valid YAML: ${String(error)}`, span);
    return header;
  }
  for (const error of doc.errors) {
    const at = { start: source.positionOfOffset(rawStart + error.pos[0]), end: source.positionOfOffset(rawStart + error.pos[1]) };
    report('error', 'yaml', `The front matter is not valid YAML: ${firstLine(error.message)}`, at);
  }
  if (doc.errors.length > 0) return header;
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return header;
  if (!isMap(contents)) {
    report('error', 'front-matter-shape', 'The front matter must be a list of `key: value` lines (name, trigger, attributes…).', spanOf(contents));
    return header;
  }

  for (const pair of contents.items as Pair<YamlNode, YamlNode>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value;
    const keySpan = spanOf(pair.key);
    switch (key) {
      case 'name':
      case 'trigger':
      case 'description': {
        const text = isScalar(value) && value.value !== null ? String(value.value).trim() : null;
        if (value && !isScalar(value)) {
          report('error', 'front-matter-type', `\`${key}\` must be text.`, spanOf(value));
        } else if (key === 'name') {
          header.name = text || null;
          header.nameSpan = spanOf(value ?? pair.key);
        } else if (key === 'trigger') header.trigger = text || null;
        else header.description = text || null;
        break;
      }
      case 'sub_procedure': {
        if (!isScalar(value) || typeof value.value !== 'boolean') {
          report('error', 'front-matter-type', '`sub_procedure` must be true or false.', spanOf(value ?? pair.key));
        } else header.subProcedure = value.value;
        break;
      }
      case 'attributes':
        header.attributes = readAttributes(value, spanOf, report, keySpan);
        break;
      case 'escalation':
        header.escalation = readEscalation(value, spanOf, report, keySpan);
        break;
      default:
        report('warning', 'unknown-key', `Unknown front matter key \`${key}\`. Known keys: ${HEADER_KEYS.join(', ')}.`, keySpan);
    }
  }
  return header;
}

type Report = (severity: Diagnostic['severity'], code: string, message: string, at: Span) => void;
type SpanOf = (node: { range?: [number, number, number] | null } | null | undefined) => Span;

function readAttributes(value: YamlNode | null, spanOf: SpanOf, report: Report, keySpan: Span): AttributeDecl[] {
  if (value === null || (isScalar(value) && value.value === null)) return [];
  if (!isMap(value)) {
    report('error', 'front-matter-type', '`attributes` must map each attribute name to its type.', spanOf(value) ?? keySpan);
    return [];
  }
  const attributes: AttributeDecl[] = [];
  for (const pair of value.items as Pair<YamlNode, YamlNode>[]) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const nameSpan = spanOf(pair.key);
    if (!IDENTIFIER.test(name)) {
      report('error', 'attribute-name', `Attribute name \`${name}\` must start with a letter and use only letters, digits and _.`, nameSpan);
      continue;
    }
    const decl: AttributeDecl = { name, type: 'string', required: false, span: nameSpan };
    const spec = pair.value;
    if (isScalar(spec) && typeof spec.value === 'string') {
      // Shorthand: `order_number: string`.
      const type = readType(spec.value, spanOf(spec), report, name);
      if (type) decl.type = type;
      attributes.push(decl);
      continue;
    }
    if (!isMap(spec)) {
      report('error', 'attribute-shape', `Attribute \`${name}\` needs a type, e.g. \`type: string\`.`, nameSpan);
      continue;
    }
    let hasType = false;
    for (const field of spec.items as Pair<YamlNode, YamlNode>[]) {
      const key = isScalar(field.key) ? String(field.key.value) : '';
      const fieldValue = field.value;
      const at = spanOf(fieldValue ?? field.key);
      switch (key) {
        case 'type': {
          const type = isScalar(fieldValue) ? readType(String(fieldValue.value), at, report, name) : null;
          if (type) {
            decl.type = type;
            hasType = true;
          } else if (!isScalar(fieldValue)) report('error', 'attribute-type', `Attribute \`${name}\`: type must be one of ${ATTRIBUTE_TYPES.join(', ')}.`, at);
          else hasType = true; // already reported by readType
          break;
        }
        case 'description':
          if (isScalar(fieldValue) && fieldValue.value !== null) decl.description = String(fieldValue.value).trim();
          break;
        case 'values':
          if (isSeq(fieldValue) && fieldValue.items.every((item) => isScalar(item) && item.value !== null)) {
            decl.values = fieldValue.items.map((item) => String((item as { value: unknown }).value));
          } else report('error', 'attribute-values', `Attribute \`${name}\`: values must be a list, like [refund, replacement].`, at);
          break;
        case 'items': {
          const type = isScalar(fieldValue) ? readType(String(fieldValue.value), at, report, name) : null;
          if (type) decl.items = type;
          break;
        }
        case 'required':
          if (isScalar(fieldValue) && typeof fieldValue.value === 'boolean') decl.required = fieldValue.value;
          else report('error', 'front-matter-type', `Attribute \`${name}\`: required must be true or false.`, at);
          break;
        default:
          report('warning', 'unknown-key', `Attribute \`${name}\`: unknown key \`${key}\`. Known keys: ${ATTRIBUTE_KEYS.join(', ')}.`, spanOf(field.key));
      }
    }
    if (!hasType) report('error', 'attribute-type', `Attribute \`${name}\` needs a type: one of ${ATTRIBUTE_TYPES.join(', ')}.`, nameSpan);
    if (decl.type === 'enum' && !(decl.values && decl.values.length > 0)) {
      report('error', 'attribute-values', `Attribute \`${name}\` is an enum: list its values, like \`values: [refund, replacement]\`.`, nameSpan);
    }
    if (decl.type !== 'enum' && decl.values) {
      report('warning', 'attribute-values', `Attribute \`${name}\`: values only apply to enum attributes.`, nameSpan);
    }
    if (decl.type !== 'list' && decl.items) {
      report('warning', 'attribute-items', `Attribute \`${name}\`: items only applies to list attributes.`, nameSpan);
    }
    attributes.push(decl);
  }
  return attributes;
}

const ESCALATION_KEYS: readonly string[] = ['default', ...ESCALATION_REASONS];
const ESCALATION_SHAPE = 'name a team (`escalation: Tier 2`), or teams by reason (`default: Tier 2` and, say, `connector_failures: Billing team` on the lines below)';

/** `escalation: Team`, or a mapping from `default` and escalation reasons to teams. */
function readEscalation(value: YamlNode | null, spanOf: SpanOf, report: Report, keySpan: Span): EscalationTeam[] {
  const teamOf = (node: YamlNode | null, what: string): string | null => {
    const text = isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value).trim() : '';
    if (!text) report('error', 'front-matter-type', `${what} must be a team name.`, spanOf(node) ?? keySpan);
    return text || null;
  };
  if (!isMap(value)) {
    if (!isScalar(value) || value.value === null) {
      report('error', 'front-matter-type', `\`escalation\` must ${ESCALATION_SHAPE}.`, value ? spanOf(value) : keySpan);
      return [];
    }
    const team = teamOf(value, '`escalation`');
    return team ? [{ reason: 'default', team, span: spanOf(value) }] : [];
  }
  const teams: EscalationTeam[] = [];
  for (const pair of value.items as Pair<YamlNode, YamlNode>[]) {
    const reason = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!ESCALATION_KEYS.includes(reason)) {
      report('error', 'escalation-reason', `\`${reason}\` is not an escalation reason. Use \`default\` or one of: ${ESCALATION_REASONS.join(', ')}.`, spanOf(pair.key));
      continue;
    }
    const team = teamOf(pair.value, `\`escalation\`: \`${reason}\``);
    if (team) teams.push({ reason: reason as EscalationTeam['reason'], team, span: spanOf(pair.value) });
  }
  if (teams.length === 0 && value.items.length === 0) report('error', 'front-matter-type', `\`escalation\` must ${ESCALATION_SHAPE}.`, spanOf(value) ?? keySpan);
  return teams;
}

function readType(text: string, at: Span, report: Report, name: string): AttributeType | null {
  const type = text.trim().toLowerCase();
  if ((ATTRIBUTE_TYPES as readonly string[]).includes(type)) return type as AttributeType;
  report('error', 'attribute-type', `Attribute \`${name}\`: unknown type \`${text}\`. Use one of ${ATTRIBUTE_TYPES.join(', ')}.`, at);
  return null;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
