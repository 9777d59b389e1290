// Lays graphs out on the server with dagre, so the browser gets positioned nodes and routed edges: the graph is in
// the first paint and the layout engine never ships to the client.
//
// Edges are routed here too, never left to the renderer: a renderer's default curve runs straight from handle to
// handle and can pass behind the nodes in between. Edges dagre lays out follow its bend points (it threads long
// edges between the nodes of the columns they cross); edges against the ranks (see `rank`) go through the gaps
// beside the columns.
import { Graph, layout } from '@dagrejs/dagre';

export interface LaidOutNode<D> {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  data: D;
}

export interface LaidOutEdge {
  id: string;
  source: string;
  target: string;
  /** SVG path in the graph's coordinates, from the source's border to the target's. */
  path: string;
}

export interface LaidOutGraph<D> {
  nodes: LaidOutNode<D>[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
  /** `LR` (left to right) or `TB` (top to bottom): where handles sit. */
  direction: 'LR' | 'TB';
}

interface Point {
  x: number;
  y: number;
}

/** Distance between two edges running side by side in a gap. */
const LANE = 7;
/** Radius of an edge's bends. */
const BEND = 6;

/** An orthogonal path through `points` (each step goes along x, then y, then x), with rounded bends. */
function orthogonalPath(points: Point[]): string {
  const corners: Point[] = [points[0]!];
  for (let i = 1; i < points.length; i++) {
    const from = corners[corners.length - 1]!;
    const to = points[i]!;
    if (from.x === to.x || from.y === to.y) corners.push(to);
    else {
      const midX = (from.x + to.x) / 2;
      corners.push({ x: midX, y: from.y }, { x: midX, y: to.y }, to);
    }
  }
  let d = `M ${corners[0]!.x} ${corners[0]!.y}`;
  for (let i = 1; i < corners.length; i++) {
    const here = corners[i]!;
    const next = corners[i + 1];
    if (!next) {
      d += ` L ${here.x} ${here.y}`;
      break;
    }
    const prev = corners[i - 1]!;
    const r = Math.min(BEND, Math.hypot(here.x - prev.x, here.y - prev.y) / 2, Math.hypot(next.x - here.x, next.y - here.y) / 2);
    const toward = (a: Point, b: Point, by: number): Point => {
      const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      return { x: a.x + ((b.x - a.x) * by) / length, y: a.y + ((b.y - a.y) * by) / length };
    };
    const enter = toward(here, prev, r);
    const leave = toward(here, next, r);
    d += ` L ${enter.x} ${enter.y} Q ${here.x} ${here.y} ${leave.x} ${leave.y}`;
  }
  return d;
}

/**
 * Positions nodes and routes edges. With `rank` on the nodes (left to right only), nodes sit in the column of their
 * rank, exactly: dagre's ranker is told the ranks instead of choosing them. Edges from a rank to a later one are
 * laid out by dagre; edges within a column or back to an earlier one run through the gaps beside the columns (and,
 * when they cross columns, above every node), so no edge ever passes behind a node.
 */
export function layoutGraph<D>(
  nodes: { id: string; data: D; width?: number; height?: number; rank?: number }[],
  edges: { from: string; to: string }[],
  options: { direction?: 'LR' | 'TB'; nodeWidth?: number; nodeHeight?: number; rankSep?: number; nodeSep?: number } = {},
): LaidOutGraph<D> {
  const direction = options.direction ?? 'LR';
  const ids = new Set(nodes.map((n) => n.id));
  const kept = edges.filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to);
  const ranked = direction === 'LR' && nodes.length > 0 && nodes.every((n) => n.rank !== undefined);
  const rankOf = new Map(nodes.map((n) => [n.id, n.rank ?? 0]));
  const forward = (e: { from: string; to: string }) => !ranked || rankOf.get(e.to)! > rankOf.get(e.from)!;
  const against = kept.filter((e) => !forward(e));
  // Every edge against the ranks gets its own lane in the gap right of its target's column: widen the gaps for them.
  const lanesPerColumn = new Map<number, number>();
  for (const e of against) lanesPerColumn.set(rankOf.get(e.to)!, (lanesPerColumn.get(rankOf.get(e.to)!) ?? 0) + 1);
  const extraLanes = Math.max(0, ...lanesPerColumn.values());
  const rankSep = (options.rankSep ?? 70) + extraLanes * LANE;

  const g = new Graph({ multigraph: false });
  // dagre keeps nodes on even ranks (odd ones hold edge labels), so a given rank r is 2r for it.
  g.setGraph({ rankdir: direction, ranksep: rankSep, nodesep: options.nodeSep ?? 18, marginx: 10, marginy: 10 + (against.length ? extraLanes * LANE : 0), ...(ranked ? { ranker: 'none' } : {}) });
  g.setDefaultEdgeLabel(() => ({}));
  const minRank = Math.min(...nodes.map((n) => n.rank ?? 0));
  for (const n of nodes) {
    g.setNode(n.id, { width: n.width ?? options.nodeWidth ?? 170, height: n.height ?? options.nodeHeight ?? 48, ...(ranked ? { rank: 2 * (n.rank! - minRank) } : {}) });
  }
  for (const e of kept) if (forward(e)) g.setEdge(e.from, e.to, ranked ? { minlen: rankOf.get(e.to)! - rankOf.get(e.from)! } : {});
  layout(g);
  const graph = g.graph();

  const placed = new Map(
    nodes.map((n) => {
      const p = g.node(n.id);
      // dagre gives centres; React Flow wants top-left corners.
      return [n.id, { id: n.id, data: n.data, width: p.width, height: p.height, x: p.x - p.width / 2, y: p.y - p.height / 2 }];
    }),
  );
  const horizontal = direction === 'LR';
  const exitOf = (id: string): Point => {
    const n = placed.get(id)!;
    return horizontal ? { x: n.x + n.width, y: n.y + n.height / 2 } : { x: n.x + n.width / 2, y: n.y + n.height };
  };
  const entryOf = (id: string): Point => {
    const n = placed.get(id)!;
    return horizontal ? { x: n.x, y: n.y + n.height / 2 } : { x: n.x + n.width / 2, y: n.y };
  };
  // Columns' right and left borders, by rank.
  const columnRight = new Map<number, number>();
  const columnLeft = new Map<number, number>();
  for (const n of placed.values()) {
    const r = rankOf.get(n.id)!;
    columnRight.set(r, Math.max(columnRight.get(r) ?? -Infinity, n.x + n.width));
    columnLeft.set(r, Math.min(columnLeft.get(r) ?? Infinity, n.x));
  }
  const top = Math.min(...[...placed.values()].map((n) => n.y));
  // The columns (left to right layouts): nodes of one rank share their centre line.
  const byCentre = new Map<number, { left: number; right: number }>();
  for (const n of placed.values()) {
    const centre = Math.round(n.x + n.width / 2);
    const column = byCentre.get(centre) ?? { left: Infinity, right: -Infinity };
    byCentre.set(centre, { left: Math.min(column.left, n.x), right: Math.max(column.right, n.x + n.width) });
  }
  const columns = [...byCentre.values()];
  const laneUsed = new Map<number, number>();

  const routed: LaidOutEdge[] = kept.map((e) => {
    const id = `${e.from}->${e.to}`;
    if (forward(e)) {
      // dagre threads a long edge through the columns it crosses (at a height free of nodes); keep those crossings
      // and turn only in the gaps between columns.
      const bends: Point[] = g.edge(e.from, e.to)?.points.slice(1, -1) ?? [];
      const crossings = horizontal
        ? bends.flatMap((p) => {
            const column = columns.find((c) => p.x >= c.left && p.x <= c.right);
            return column ? [{ x: column.left, y: p.y }, { x: column.right, y: p.y }] : [];
          })
        : bends;
      return { id, source: e.from, target: e.to, path: orthogonalPath([exitOf(e.from), ...crossings, entryOf(e.to)]) };
    }
    // Against the ranks: into the target's right side, through a lane of the gap right of the target's column.
    const source = placed.get(e.from)!;
    const target = placed.get(e.to)!;
    const sourceRank = rankOf.get(e.from)!;
    const targetRank = rankOf.get(e.to)!;
    const lane = laneUsed.get(targetRank) ?? 0;
    laneUsed.set(targetRank, lane + 1);
    const laneX = columnRight.get(targetRank)! + 12 + lane * LANE;
    const into = { x: target.x + target.width, y: target.y + target.height / 2 + (lane % 2 ? 4 : -4) };
    if (sourceRank === targetRank) {
      // Same column: out of the source's right side and back into the target's.
      const out = { x: source.x + source.width, y: source.y + source.height / 2 + (lane % 2 ? 4 : -4) };
      return { id, source: e.from, target: e.to, path: orthogonalPath([out, { x: laneX, y: out.y }, { x: laneX, y: into.y }, into]) };
    }
    const out = { x: source.x, y: source.y + source.height / 2 };
    if (sourceRank === targetRank + 1) {
      // The next column back: through the gap between the two.
      return { id, source: e.from, target: e.to, path: orthogonalPath([out, { x: laneX, y: out.y }, { x: laneX, y: into.y }, into]) };
    }
    // Further back: out into the gap left of the source's column, over every node, down the target's lane.
    const leftX = columnLeft.get(sourceRank)! - 12 - lane * LANE;
    const overY = top - 12 - lane * LANE;
    return {
      id,
      source: e.from,
      target: e.to,
      path: orthogonalPath([out, { x: leftX, y: out.y }, { x: leftX, y: overY }, { x: laneX, y: overY }, { x: laneX, y: into.y }, into]),
    };
  });

  return {
    direction,
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: nodes.map((n) => placed.get(n.id)!),
    edges: routed,
  };
}
