// Graphs drawn with React Flow (@xyflow/react) from a layout computed on the server (lib/layout.server.ts).
// Nodes carry their size and handles so the graph renders on the server too, before any JavaScript runs.
import { Background, BaseEdge, Controls, Handle, Position, ReactFlow, type Edge, type EdgeProps, type Node, type NodeProps } from '@xyflow/react';
import { useMemo } from 'react';

export interface FlowNodeData extends Record<string, unknown> {
  label: string;
  sublabel?: string;
  /** A CSS modifier: health (`down`, `degraded`...) or step state (`running`, `waiting-for-input`...). */
  tone: string;
  root?: boolean;
  href?: string;
}

export interface FlowGraph {
  nodes: { id: string; x: number; y: number; width: number; height: number; data: FlowNodeData }[];
  /** `path`: the edge's route in the graph's coordinates, computed with the layout (lib/layout.server.ts). */
  edges: { id: string; source: string; target: string; path: string }[];
  width: number;
  height: number;
  direction: 'LR' | 'TB';
}

function FlowNode({ data }: NodeProps<Node<FlowNodeData>>) {
  const horizontal = (data as FlowNodeData & { direction?: string }).direction !== 'TB';
  return (
    <div className={`flow-node tone-${data.tone}${data.root ? ' root' : ''}`} title={data.sublabel ? `${data.label} — ${data.sublabel}` : data.label}>
      <Handle type="target" position={horizontal ? Position.Left : Position.Top} isConnectable={false} />
      <div className="flow-label">{data.label}</div>
      {data.sublabel ? <div className="flow-sublabel">{data.sublabel}</div> : null}
      <Handle type="source" position={horizontal ? Position.Right : Position.Bottom} isConnectable={false} />
    </div>
  );
}

const NODE_TYPES = { opsorch: FlowNode };

/** Draws the route the layout computed (around nodes, never behind them) instead of a handle-to-handle curve. */
function RoutedEdge({ data, markerEnd, style }: EdgeProps<Edge<{ path: string }>>) {
  return <BaseEdge path={data!.path} markerEnd={markerEnd} style={style} />;
}

const EDGE_TYPES = { routed: RoutedEdge };

export function Flow({
  graph,
  height = 420,
  onOpen,
  label,
}: {
  graph: FlowGraph;
  height?: number;
  onOpen?: (id: string, data: FlowNodeData) => void;
  label: string;
}) {
  const horizontal = graph.direction === 'LR';
  const nodes = useMemo<Node<FlowNodeData>[]>(
    () =>
      graph.nodes.map((n) => ({
        id: n.id,
        type: 'opsorch',
        position: { x: n.x, y: n.y },
        width: n.width,
        height: n.height,
        data: { ...n.data, direction: graph.direction },
        draggable: false,
        connectable: false,
        ariaLabel: `${n.data.label}${n.data.sublabel ? `, ${n.data.sublabel}` : ''}`,
        handles: [
          { type: 'target', position: horizontal ? Position.Left : Position.Top, x: horizontal ? 0 : n.width / 2, y: horizontal ? n.height / 2 : 0 },
          { type: 'source', position: horizontal ? Position.Right : Position.Bottom, x: horizontal ? n.width : n.width / 2, y: horizontal ? n.height / 2 : n.height },
        ],
      })),
    [graph, horizontal],
  );
  const edges = useMemo<Edge[]>(
    () =>
      graph.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        type: 'routed',
        data: { path: e.path },
        markerEnd: { type: 'arrowclosed' as never, width: 16, height: 16 },
        focusable: false,
      })),
    [graph],
  );
  return (
    <div className="flow" style={{ height }} aria-label={label} role="figure">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        fitView
        // The left padding keeps the zoom controls (bottom left) off the nodes; edges routed above the nodes stay in view.
        fitViewOptions={{ padding: { left: '56px', right: '20px', top: '24px', bottom: '20px' }, maxZoom: 1.2 }}
        width={1000}
        height={height}
        minZoom={0.2}
        maxZoom={2}
        colorMode="dark"
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable
        onNodeClick={(_event, node) => onOpen?.(node.id, node.data)}
        onNodeDoubleClick={(_event, node) => onOpen?.(node.id, node.data)}
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
