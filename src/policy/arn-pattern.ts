/**
 * ARN matching for `Resource`/`NotResource` and the `Arn*` condition operators.
 *
 * IAM User Guide, "Condition operators › Amazon Resource Name (ARN) condition operators": each of
 * the six colon-delimited components of the ARN is checked separately and each can include `*` and
 * `?` wildcards; matching is case-sensitive. The sixth component (the resource) keeps any further
 * colons (`arn:aws:logs:us-east-1:1:log-group:x:*`). The same component-wise rule is applied to
 * `Resource` elements ("IAM JSON policy elements: Resource" — wildcards within ARN segments).
 */
import { compileGlob, globMatch, tokensMatch, type Glob } from './glob.js';
import { parseTemplate, resolveTokens, type ContextLookup, type Template } from './template.js';

/** One compiled component: a plain wildcard pattern, or one with policy variables. */
export type SegmentPattern = { readonly glob: Glob } | { readonly template: Template };

/** A compiled ARN pattern. */
export interface ArnPattern {
  /** The pattern is `*`: matches anything, including non-ARN resources. */
  readonly any: boolean;
  /** Six components, or `undefined` when the pattern is not a six-part ARN (matched as a whole). */
  readonly segments: readonly SegmentPattern[] | undefined;
  /** Whole-string form, used when either side is not a six-part ARN. */
  readonly whole: SegmentPattern;
  /** The source text (for explanations). */
  readonly source: string;
}

/**
 * Splits an ARN into its six components (the last keeps its colons), or `undefined` when it has
 * fewer than six. Colons inside `${…}` variables are not separators when `template` is true.
 */
export function splitArn(text: string, template = false): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < text.length && parts.length < 5; i++) {
    const c = text.charCodeAt(i);
    if (template && c === 36 /* $ */ && text.charCodeAt(i + 1) === 123 /* { */) depth++;
    else if (template && c === 125 /* } */ && depth > 0) depth--;
    else if (c === 58 /* : */ && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (parts.length < 5) return undefined;
  parts.push(text.slice(start));
  return parts;
}

function segment(text: string, variables: boolean): SegmentPattern {
  const template = variables ? parseTemplate(text) : undefined;
  return template ? { template } : { glob: compileGlob(text) };
}

/** Compiles an ARN pattern. `variables` is false for Version 2008-10-17 documents. */
export function compileArnPattern(pattern: string, variables: boolean): ArnPattern {
  const parts = splitArn(pattern, variables);
  return {
    any: pattern === '*',
    segments: parts?.map((p) => segment(p, variables)),
    whole: segment(pattern, variables),
    source: pattern,
  };
}

function segmentMatch(p: SegmentPattern, text: string, lookup: ContextLookup): boolean {
  if ('glob' in p) return globMatch(p.glob, text);
  const tokens = resolveTokens(p.template, lookup, false);
  return tokens !== undefined && tokensMatch(tokens, text);
}

/**
 * True when `resource` (its six parts pre-split by the caller, or `undefined`) matches the pattern.
 * A missing policy variable makes the pattern not match.
 */
export function arnMatch(
  p: ArnPattern,
  resource: string,
  parts: readonly string[] | undefined,
  lookup: ContextLookup,
): boolean {
  if (p.any) return true;
  const segs = p.segments;
  if (segs === undefined || parts === undefined) return segmentMatch(p.whole, resource, lookup);
  for (let i = 0; i < 6; i++) {
    if (!segmentMatch(segs[i] as SegmentPattern, parts[i] as string, lookup)) return false;
  }
  return true;
}
