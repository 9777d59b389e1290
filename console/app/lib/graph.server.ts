// Turns a dependency-graph answer or a runbook's steps into a laid-out FlowGraph.
import type { FlowGraph } from '../components/flow.tsx';
import type { GraphFieldsFragment, StepFieldsFragment } from '../graphql/generated.ts';
import { layoutGraph } from './layout.server.ts';

export function serviceFlow(graph: GraphFieldsFragment): FlowGraph {
  const rootId = graph.root.id;
  return layoutGraph(
    graph.nodes.map((n) => ({
      id: n.service.id,
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
