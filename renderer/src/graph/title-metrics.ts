// How large a node's title is drawn, and on how many lines, at a zoom (semantic zoom): its own size
// up close, wrapped on up to three lines; far away, the rows hide and the title grows so that
// zoom × size stays readable, as large as lets the whole title fit its node. And how tall a node
// must be for that: ELK is given that size (nodeSize), so a long branch test is never cut. Pure.
import { conditionWords, type GraphNode, type NodeKind } from '../../../shared/procedure';
import { NODE_SIZE, ROW_HEIGHT, ROWS_PADDING } from './structure';

/** Title size (px) at full zoom; at low zoom titles grow so that zoom × size stays readable. */
const TITLE_SIZE: Partial<Record<NodeKind, number>> = { step: 15 };
const TITLE_SIZE_DEFAULT = 13;
/** Below this zoom, cards show only their titles. */
export const FAR_ZOOM = 0.85;
/** The title size on screen (zoom × font size) at low zoom, when the title fits at that size. */
export const FAR_TITLE_PX = 11;
/** The smallest it gets on screen far away, to fit a long title whole. */
export const FAR_MIN_PX = 10;
/** Up close, a title wraps on up to this many lines. */
export const NEAR_LINES = 3;
/** Far away, a title may take this many lines of its (title-only) node. */
const FAR_LINES = 5;
/** The size (graph units) nodes are made tall enough for far away: FAR_MIN_PX on screen down to a zoom of 10/22. */
export const FAR_REFERENCE_SIZE = 22;
const LINE_HEIGHT = 1.25;
/** Vertical padding of a node's title area, both sides together. */
const TITLE_PADDING = 10;
/** Room for the title's text across a node: the node less its padding, borders, icon and a button (near); no icon far away. */
const textWidth = (kind: NodeKind, far: boolean) => NODE_SIZE[kind].width - (far ? 40 : 64);

/** What a node's title says, as drawn (ProcedureNode): a Python test in words when it can be said. */
export function nodeTitle(node: Pick<GraphNode, 'kind' | 'label' | 'test'>, far = false): string {
  switch (node.kind) {
    case 'condition':
      return 'Which case?';
    case 'handoff':
      // Far away the pill's colour and shape say "handoff": the room goes to the team's name.
      return far ? node.label : `Hand off to ${node.label}`;
    case 'branch':
      return node.test === 'python' ? pythonTitle(node.label) : node.label;
    default:
      return node.label;
  }
}

const wordsCache = new Map<string, string>();
/** conditionWords is a parse: remembered per test, as titles are measured on every keystroke. */
function pythonTitle(label: string): string {
  let title = wordsCache.get(label);
  if (title === undefined) {
    const code = label.replace(/^`|`$/g, '');
    title = conditionWords(label) ?? code;
    if (wordsCache.size > 2000) wordsCache.clear();
    wordsCache.set(label, title);
  }
  return title;
}

/** A character's width as a share of the font size: generous for the UI font at the titles' weights. */
function charWidth(char: string): number {
  if (char === ' ') return 0.3;
  if ('iljtf.,:;|!\'"()[]'.includes(char)) return 0.36;
  if ('mwMW@%'.includes(char)) return 0.95;
  if (char >= 'A' && char <= 'Z') return 0.72;
  if (char.charCodeAt(0) > 0x2e7f) return 1.05; // CJK and emoji: a whole em
  return 0.62;
}

/** How many lines a text wraps to at a font size in a width (words kept whole unless one is wider than a line). */
export function wrappedLines(text: string, fontSize: number, width: number): number {
  let lines = 1;
  let used = 0;
  const space = charWidth(' ') * fontSize;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let wordWidth = 0;
    for (const char of word) wordWidth += charWidth(char) * fontSize;
    const needed = used === 0 ? wordWidth : used + space + wordWidth;
    if (needed <= width) {
      used = needed;
      continue;
    }
    if (used > 0) lines++;
    // A word wider than a line breaks anywhere (overflow-wrap: anywhere).
    lines += Math.ceil(wordWidth / width) - 1;
    used = wordWidth - (Math.ceil(wordWidth / width) - 1) * width;
  }
  return lines;
}

const titleHeight = (lines: number, fontSize: number) => Math.ceil(lines * fontSize * LINE_HEIGHT + TITLE_PADDING);

/** The height of a card's header: the kind's own, or taller for a title that wraps (up to NEAR_LINES). */
export function headerHeight(kind: NodeKind, title: string): number {
  const lines = Math.min(NEAR_LINES, wrappedLines(title, TITLE_SIZE[kind] ?? TITLE_SIZE_DEFAULT, textWidth(kind, false)));
  return Math.max(NODE_SIZE[kind].height, titleHeight(lines, TITLE_SIZE[kind] ?? TITLE_SIZE_DEFAULT));
}

/**
 * A node's size with `rows` rows of contents: its header (its title wrapped), its rows, and never
 * less than the whole title needs far away, where it has the node to itself.
 */
export function nodeSize(node: Pick<GraphNode, 'kind' | 'label' | 'test'>, rows: number): { width: number; height: number } {
  const near = headerHeight(node.kind, nodeTitle(node)) + (rows === 0 ? 0 : rows * ROW_HEIGHT + ROWS_PADDING);
  const farTitle = nodeTitle(node, true);
  const far = titleHeight(Math.min(FAR_LINES, wrappedLines(farTitle, FAR_REFERENCE_SIZE, textWidth(node.kind, true))), FAR_REFERENCE_SIZE);
  return { width: NODE_SIZE[node.kind].width, height: Math.max(near, far) };
}

/**
 * The title's size and lines at a zoom, in a node `height` tall whose header is `header` tall when
 * it has rows (null when it has none). Far away, the largest size from FAR_TITLE_PX down to
 * FAR_MIN_PX on screen at which the whole title fits (smaller only below the zoom nodes are sized for).
 */
export function titleMetrics(kind: NodeKind, height: number, zoom: number, header: number | null, title = ''): { fontSize: number; lines: number; far: boolean } {
  const base = TITLE_SIZE[kind] ?? TITLE_SIZE_DEFAULT;
  const far = zoom < FAR_ZOOM;
  // Near: the title has the header; far: the rows are hidden and it has the whole card.
  const room = (far || header === null ? height : header) - TITLE_PADDING;
  if (!far) return { fontSize: base, lines: Math.max(1, Math.min(NEAR_LINES, Math.floor(room / (base * LINE_HEIGHT)))), far };
  const scale = Math.max(zoom, 0.05);
  const largest = Math.max(base, Math.min(FAR_TITLE_PX / scale, room / LINE_HEIGHT));
  const smallest = Math.max(base, Math.min(FAR_MIN_PX / scale, largest));
  const fits = (size: number) => wrappedLines(title, size, textWidth(kind, true)) * size * LINE_HEIGHT <= room;
  let fontSize = largest;
  // Down in 4% steps until the whole title fits: a dozen steps at most.
  while (fontSize > smallest && !fits(fontSize)) fontSize = Math.max(smallest, fontSize * 0.96);
  // Zoomed out further than the node was sized for (FAR_REFERENCE_SIZE): smaller still, whole rather than cut.
  while (fontSize > base && !fits(fontSize)) fontSize = Math.max(base, fontSize * 0.96);
  return { fontSize, lines: Math.max(1, Math.floor(room / (fontSize * LINE_HEIGHT))), far };
}

/** The zoom rounded down to a fiftieth: nodes and labels re-render only when it crosses one. */
export const zoomStep = (state: { transform: [number, number, number] }) => Math.floor(state.transform[2] * 50) / 50;

/**
 * What of the titles the layout depends on: each node's height as its title wraps. Typing in a
 * title changes it only when the title takes another line (then ELK is asked again).
 */
export function titleSizesKey(graph: { nodes: readonly Pick<GraphNode, 'kind' | 'label' | 'test'>[] }): string {
  let key = '';
  for (const node of graph.nodes) {
    // Remembered per title: on a keystroke, all titles but one are the ones measured before.
    const id = `${node.kind}\u0000${node.test ?? ''}\u0000${node.label}`;
    let height = heightCache.get(id);
    if (height === undefined) {
      height = nodeSize(node, 0).height;
      if (heightCache.size > 20_000) heightCache.clear();
      heightCache.set(id, height);
    }
    key += `${height},`;
  }
  return key;
}

const heightCache = new Map<string, number>();
