// OpsOrch's GraphQL answers in OpsOrch Core's JSON shapes (docs/core-compatibility.md): Core's field names,
// status and severity as the tool's own values in lower case, OpsOrch's normalized values and links in
// `fields`, where they came from in `metadata`. Empty optional members are left out, as Go's `omitempty` does.
/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers of the operations in schema/operations/core */

type Json = Record<string, any>;

/** Go's zero time: what Core sends for a time that has not happened (a deployment still running). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Drops null, undefined and empty objects, as `omitempty` would. */
export function compact<T extends Json>(object: T): T {
  const out: Json = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out as T;
}

const lower = (value: string | null | undefined) => (value ? value.toLowerCase() : undefined);
const source = (node: Json) => ({ source: node.source });
const labelsMap = (labels: { name: string; value: string }[] | undefined) => Object.fromEntries((labels ?? []).map((l) => [l.name, l.value]));

export function coreIncident(i: Json): Json {
  return compact({
    id: i.id,
    title: i.title,
    description: i.summary,
    status: lower(i.rawStatus) ?? lower(i.status),
    severity: lower(i.rawSeverity) ?? lower(i.severity),
    service: i.service?.id,
    url: i.url,
    createdAt: i.startedAt,
    updatedAt: i.updatedAt,
    fields: compact({
      number: i.number,
      status: i.status,
      severity: i.severity,
      acknowledgedAt: i.acknowledgedAt,
      resolvedAt: i.resolvedAt,
      channel: i.channel,
      assignee: i.assignee?.email,
      commander: i.commander?.email,
      links: i.links?.length ? i.links : undefined,
    }),
    metadata: source(i),
  });
}

export function coreTimelineEntry(e: Json, incidentId: string): Json {
  return compact({
    id: e.id,
    incidentId,
    at: e.at,
    kind: lower(e.rawKind) ?? lower(e.kind),
    body: e.message,
    actor: e.actor ? compact({ id: e.actor.id, name: e.actor.name, email: e.actor.email }) : undefined,
    metadata: { kind: e.kind },
  });
}

export function coreAlert(a: Json): Json {
  return compact({
    id: a.id,
    title: a.summary || a.name,
    description: a.description,
    status: lower(a.rawState) ?? lower(a.state),
    severity: lower(a.rawSeverity) ?? lower(a.severity),
    service: a.service?.id,
    url: a.url,
    createdAt: a.startsAt,
    updatedAt: a.acknowledgedAt ?? a.startsAt,
    fields: compact({
      name: a.name,
      state: a.state,
      severity: a.severity,
      labels: labelsMap(a.labels),
      fingerprint: a.fingerprint,
      endsAt: a.endsAt,
      acknowledgedAt: a.acknowledgedAt,
      silencedUntil: a.silencedUntil,
      generatorUrl: a.generatorUrl,
    }),
    metadata: source(a),
  });
}

export function coreLogEntry(l: Json): Json {
  return compact({
    timestamp: l.timestamp,
    message: l.message,
    severity: lower(l.rawLevel) ?? lower(l.level),
    service: l.service?.id,
    labels: compact({ ...Object.fromEntries((l.fields ?? []).map((f: { key: string; value: string }) => [f.key, f.value])), environment: l.environment }),
    fields: compact({ id: l.id, level: l.level, traceId: l.traceId, url: l.url }),
    metadata: source(l),
  });
}

export function coreMetricSeries(s: Json, result: Json): Json {
  return compact({
    name: s.name,
    service: s.service?.id,
    labels: labelsMap(s.labels),
    // Core's points are float64: a gap (no sample in the step) has no value to send.
    points: (s.points ?? []).filter((p: Json) => p.value !== null).map((p: Json) => ({ timestamp: p.timestamp, value: p.value })),
    url: result.url,
    metadata: compact({ aggregation: s.aggregation, unit: s.unit, step: result.step, query: result.query }),
  });
}

export function coreMetricDescriptor(d: Json): Json {
  return compact({
    name: d.name,
    type: lower(d.rawType) ?? lower(d.type),
    description: d.description,
    labels: d.labels,
    unit: d.unit || undefined,
    metadata: { defaultAggregation: d.defaultAggregation, aggregations: d.aggregations },
  });
}

export function coreTicket(t: Json): Json {
  return compact({
    id: t.id,
    key: t.key,
    title: t.title,
    description: t.description,
    status: lower(t.rawStatus) ?? lower(t.status),
    assignees: t.assignee ? [t.assignee.email] : undefined,
    reporter: t.reporter?.email,
    url: t.url,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    fields: compact({
      status: t.status,
      priority: t.priority,
      rawPriority: t.rawPriority,
      labels: t.labels?.length ? t.labels : undefined,
      service: t.service?.id,
      incident: t.incident?.id,
    }),
    metadata: source(t),
  });
}

export function coreMessageResult(m: Json): Json {
  return compact({
    id: m.id,
    channel: m.channel?.name,
    sentAt: m.postedAt,
    url: m.url,
    metadata: compact({ channelId: m.channel?.id, threadId: m.threadId, source: m.source }),
  });
}

/** Core has no owner or tier fields: ownership in `tags.owner`, the tier in `tags.tier`, each tag as `tag: "true"`. */
export function serviceTags(s: Json): Record<string, string> {
  return compact<Record<string, string | undefined>>({
    ...Object.fromEntries((s.tags ?? []).map((tag: string) => [tag, 'true'])),
    owner: s.owner?.id,
    tier: lower(s.rawTier) ?? lower(s.tier),
    kind: lower(s.kind),
    language: s.language,
  }) as Record<string, string>;
}

export function coreService(s: Json): Json {
  return compact({
    id: s.id,
    name: s.name,
    url: s.url,
    tags: serviceTags(s),
    metadata: compact({
      dependencies: (s.dependencies ?? []).map((d: Json) => d.id),
      description: s.description,
      environments: s.environments,
      repositoryUrl: s.repositoryUrl,
      links: s.links?.length ? s.links : undefined,
      externalRefs: s.externalRefs?.length ? s.externalRefs : undefined,
      source: s.source,
    }),
  });
}

export function teamTags(t: Json): Record<string, string> {
  return compact({ chatChannel: t.chatChannel });
}

export function coreTeam(t: Json): Json {
  return compact({ id: t.id, name: t.name, parent: t.parent?.id, url: t.url, tags: teamTags(t), metadata: compact({ description: t.description, source: t.source }) });
}

export function coreTeamMember(m: Json): Json {
  return compact({
    id: m.user.id,
    name: m.user.name,
    email: m.user.email,
    handle: m.user.chatHandle,
    role: lower(m.role),
    metadata: compact({ timezone: m.user.timezone, url: m.user.url }),
  });
}

export function coreDeployment(d: Json): Json {
  return compact({
    id: d.id,
    service: d.service?.id,
    environment: d.environment,
    version: d.version,
    status: lower(d.rawStatus) ?? lower(d.status),
    startedAt: d.startedAt,
    finishedAt: d.finishedAt ?? ZERO_TIME,
    url: d.url,
    actor: d.author ? compact({ name: d.author.name, email: d.author.email }) : undefined,
    fields: compact({ status: d.status, previousVersion: d.previousVersion, commit: d.commit, pullRequestUrl: d.pullRequestUrl }),
    metadata: source(d),
  });
}

/** Runbook tags as Core's tag map (`tag: "true"`). */
export function planTags(r: Json): Record<string, string> {
  return Object.fromEntries((r.tags ?? []).map((tag: string) => [tag, 'true']));
}

export function corePlan(r: Json): Json {
  return compact({
    id: r.id,
    title: r.name,
    description: r.description || undefined,
    steps: (r.steps ?? []).map((s: Json) =>
      compact({ id: s.id, title: s.title, type: lower(s.kind), description: s.description || undefined, dependsOn: s.dependsOn ?? [] }),
    ),
    url: r.url,
    tags: planTags(r),
    fields: compact({ services: (r.services ?? []).map((s: Json) => s.id), documentationUrl: r.documentationUrl }),
    metadata: source(r),
  });
}

export function coreRun(r: Json): Json {
  const times = (r.steps ?? []).flatMap((s: Json) => [s.startedAt, s.finishedAt]).filter(Boolean) as string[];
  const updatedAt = [r.finishedAt, ...times].filter(Boolean).sort().pop() ?? r.startedAt;
  return compact({
    id: r.id,
    planId: r.runbook?.id,
    plan: r.runbook ? corePlan(r.runbook) : undefined,
    status: lower(r.rawStatus) ?? lower(r.status),
    scope: compact({ service: r.incident?.service?.id }),
    steps: (r.steps ?? []).map((s: Json) =>
      compact({
        stepId: s.step.id,
        status: lower(s.status),
        actor: s.completedBy?.email,
        note: s.note,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        updatedAt: s.finishedAt ?? s.startedAt,
      }),
    ),
    createdAt: r.startedAt,
    updatedAt,
    url: r.url,
    fields: compact({ status: r.status, incidentId: r.incident?.id, parameters: r.parameters, startedBy: r.startedBy?.email, cancelReason: r.cancelReason }),
    metadata: source(r),
  });
}
