// Lays graphs out on the server with dagre, so the browser gets positioned nodes: the graph is in the first
// paint and the layout engine never ships to the client.
import { Graph, layout } from '@dagrejs/dagre';

export interface LaidOutNode<D> {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  data: D;
}

export interface LaidOutGraph<D> {
  nodes: LaidOutNode<D>[];
  edges: { id: string; source: string; target: string }[];
  width: number;
  height: number;
  /** `LR` (left to right) or `TB` (top to bottom): where handles sit. */
  direction: 'LR' | 'TB';
}

export function layoutGraph<D>(
  nodes: { id: string; data: D; width?: number; height?: number }[],
  edges: { from: string; to: string }[],
  options: { direction?: 'LR' | 'TB'; nodeWidth?: number; nodeHeight?: number; rankSep?: number; nodeSep?: number } = {},
): LaidOutGraph<D> {
  const direction = options.direction ?? 'LR';
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: direction, ranksep: options.rankSep ?? 70, nodesep: options.nodeSep ?? 18, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) g.setNode(n.id, { width: n.width ?? options.nodeWidth ?? 170, height: n.height ?? options.nodeHeight ?? 48 });
  const kept = edges.filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to);
  for (const e of kept) g.setEdge(e.from, e.to);
  layout(g);
  const graph = g.graph();
  return {
    direction,
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: nodes.map((n) => {
      const placed = g.node(n.id);
      // dagre gives centres; React Flow wants top-left corners.
      return { id: n.id, data: n.data, width: placed.width, height: placed.height, x: placed.x - placed.width / 2, y: placed.y - placed.height / 2 };
    }),
    edges: kept.map((e) => ({ id: `${e.from}->${e.to}`, source: e.from, target: e.to })),
  };
}
