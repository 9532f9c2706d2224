import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { SourcePos } from '../model/errors.ts';

/**
 * The source position of `path` in a parsed YAML document. With `key`, the position of the map
 * key itself (for "unknown key" problems). Falls back to the deepest node that exists.
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  file: string,
  path: ReadonlyArray<string | number>,
  key = false,
): SourcePos {
  let node: unknown = doc.contents;
  let offset = nodeOffset(node as Node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      if (last && key) {
        offset = nodeOffset(pair.key as Node) ?? offset;
        node = undefined;
        break;
      }
      node = pair.value;
      offset = nodeOffset(node as Node) ?? nodeOffset(pair.key as Node) ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (node === undefined) break;
      offset = nodeOffset(node as Node) ?? offset;
    } else {
      break;
    }
  }
  const { line, col } = lines.linePos(offset);
  return { file, line, col };
}

function nodeOffset(node: Node | null | undefined): number | undefined {
  return node && typeof node === 'object' && 'range' in node && node.range ? node.range[0] : undefined;
}
