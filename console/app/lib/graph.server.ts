// Turns a dependency-graph answer or a runbook's steps into a laid-out FlowGraph.
import type { FlowGraph } from '../components/flow.tsx';
import type { GraphFieldsFragment, StepFieldsFragment } from '../graphql/generated.ts';
import { layoutGraph } from './layout.server.ts';

/**
 * Each service's column: its hop distance from the root along calls (callees to the right), or minus its distance
 * along calls to the root (callers to the left). A direct dependency is always one column away, whatever else
 * also calls it.
 */
export function serviceRanks(rootId: string, edges: readonly { from: string; to: string }[]): Map<string, number> {
  const rank = new Map<string, number>([[rootId, 0]]);
  const walk = (next: (id: string) => string[], sign: 1 | -1) => {
    let frontier = [rootId];
    for (let hop = 1; frontier.length; hop++) {
      const reached: string[] = [];
      for (const id of frontier) {
        for (const other of next(id)) {
          if (rank.has(other)) continue;
          rank.set(other, sign * hop);
          reached.push(other);
        }
      }
      frontier = reached;
    }
  };
  walk((id) => edges.filter((e) => e.from === id).map((e) => e.to), 1);
  walk((id) => edges.filter((e) => e.to === id).map((e) => e.from), -1);
  return rank;
}

export function serviceFlow(graph: GraphFieldsFragment): FlowGraph {
  const rootId = graph.root.id;
  const ranks = serviceRanks(rootId, graph.edges);
  return layoutGraph(
    graph.nodes.map((n) => ({
      id: n.service.id,
      // A service the edges do not reach (never from this API) keeps the server's hop count.
      rank: ranks.get(n.service.id) ?? n.distance,
      data: {
        label: n.service.id,
        sublabel: [n.service.tier.replace('TIER_', 'T'), n.service.kind.toLowerCase().replace('_', '-'), n.service.health?.status.toLowerCase() ?? 'unknown'].join(' · '),
        tone: (n.service.health?.status ?? 'UNKNOWN').toLowerCase(),
        root: n.service.id === rootId,
      },
    })),
    graph.edges,
    { direction: 'LR' },
  );
}

export function stepFlow(steps: StepFieldsFragment[], states?: Map<string, string>): FlowGraph {
  return layoutGraph(
    steps.map((s) => ({
      id: s.id,
      data: {
        label: s.title,
        sublabel: `${s.kind.toLowerCase()}${states?.get(s.id) ? ` · ${states.get(s.id)!.toLowerCase().replace(/_/g, ' ')}` : ''}`,
        tone: states ? (states.get(s.id) ?? 'pending').toLowerCase().replace(/_/g, '-') : `kind-${s.kind.toLowerCase()}`,
      },
      width: 240,
      height: 52,
    })),
    steps.flatMap((s) => s.dependsOn.map((d) => ({ from: d, to: s.id }))),
    { direction: 'LR', rankSep: 50, nodeSep: 14 },
  );
}
