// The deploy artefacts, checked without a cluster: every Kubernetes document against the Kubernetes schemas
// (kubernetes-models ships validators that ajv compiled from the Kubernetes OpenAPI definitions), then what a
// schema cannot see: references between documents, probes, ports, variable names and the Dockerfile.
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readRuntimeSettings } from '../src/runtime.ts';
import { YOUNG_GENERATION_FLAG } from '../src/heap.ts';
import { SUBGRAPH_NAMES } from '@opsorch/schema';
import { KUBERNETES_DIR, PORT, renderManifests, SUBGRAPH_KEY_SECRET } from '../../deploy/generate.ts';
import { loadSecurityConfig } from '../src/security/index.ts';
import { ROOT } from './harness.ts';

type Doc = Record<string, any>;

const VALIDATORS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

function validate(doc: Doc): void {
  const Model = VALIDATORS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`no Kubernetes schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc).validate();
}

const files = readdirSync(KUBERNETES_DIR).filter((f) => f.endsWith('.yaml'));
const docs: (Doc & { file: string })[] = files
  .filter((f) => f !== 'kustomization.yaml')
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(KUBERNETES_DIR, file), 'utf8')).map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`);
      return { ...(d.toJS() as Doc), file };
    }),
  );
const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);
const named = (kind: string, name: string) => ofKind(kind).find((d) => d.metadata.name === name);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('are what deploy/generate.ts writes (run `npm run deploy:generate` after changing it)', () => {
    const rendered = renderManifests();
    expect(files.sort()).toEqual(Object.keys(rendered).sort());
    for (const [file, text] of Object.entries(rendered)) expect(readFileSync(join(KUBERNETES_DIR, file), 'utf8'), file).toBe(text);
  });

  it('every document is valid against the Kubernetes schemas', () => {
    expect(docs.length).toBeGreaterThan(40);
    for (const doc of docs) expect(() => validate(doc), `${doc.file}: ${doc.kind} ${doc.metadata?.name}`).not.toThrow();
  });

  it('the schema check is real: a broken Deployment and an unknown kind are refused', () => {
    const deployment = structuredClone(named('Deployment', 'opsorch-gateway')!);
    deployment.spec.replicas = 'two';
    delete deployment.spec.selector;
    expect(() => validate(deployment)).toThrow(/replicas must be integer/);
    expect(() => validate(deployment)).toThrow(/required property 'selector'|must have required property selector/);
    expect(() => validate({ apiVersion: 'v1', kind: 'Pod' })).toThrow(/no Kubernetes schema/);
  });

  it('run the gateway and every subgraph, each with its Service, autoscaler and disruption budget', () => {
    const expected = ['opsorch-gateway', ...SUBGRAPH_NAMES.map((n) => `opsorch-${n}`)];
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(ofKind(kind).map((d) => d.metadata.name).sort(), kind).toEqual([...expected].sort());
    }
    expect(named('Deployment', 'opsorch-gateway')!.spec.template.spec.containers[0].args).toEqual(['start', '--port', String(PORT)]);
    for (const name of SUBGRAPH_NAMES) {
      expect(named('Deployment', `opsorch-${name}`)!.spec.template.spec.containers[0].args).toEqual(['subgraph', name, '--port', String(PORT)]);
    }
  });

  it('hold together: selectors, ports, probes, autoscaler targets, ConfigMaps and optional Secrets', () => {
    for (const deployment of ofKind('Deployment')) {
      const pod = deployment.spec.template;
      const where = deployment.metadata.name;
      expect(matches(deployment.spec.selector.matchLabels, pod.metadata.labels), where).toBe(true);
      const container = pod.spec.containers[0];
      expect(container.ports).toEqual([{ name: 'http', containerPort: PORT, protocol: 'TCP' }]);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      // /readyz answers within 5 s whatever the tools do; the probe waits longer than that.
      expect(container.readinessProbe.timeoutSeconds).toBeGreaterThan(5);
      expect(container.resources.requests.cpu).toBeDefined(); // the HPA scales on CPU utilisation of requests
      for (const source of container.envFrom) {
        if (source.configMapRef) expect(named('ConfigMap', source.configMapRef.name), `${where} → ${source.configMapRef.name}`).toBeDefined();
        if (source.secretRef) expect(source.secretRef.optional, `${where}: no Secret ships with OpsOrch`).toBe(true);
      }
      for (const volume of pod.spec.volumes) {
        if (volume.configMap) expect(named('ConfigMap', volume.configMap.name)).toBeDefined();
        if (volume.secret) expect(volume.secret.optional).toBe(true);
      }
      const mounts = container.volumeMounts.map((m: Doc) => m.name).sort();
      expect(mounts).toEqual(pod.spec.volumes.map((v: Doc) => v.name).sort());

      const service = named('Service', where)!;
      expect(matches(service.spec.selector, pod.metadata.labels)).toBe(true);
      // A Service selects exactly one Deployment's pods.
      expect(ofKind('Deployment').filter((d) => matches(service.spec.selector, d.spec.template.metadata.labels))).toHaveLength(1);
      expect(service.spec.ports[0].targetPort).toBe('http');

      const hpa = named('HorizontalPodAutoscaler', where)!;
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: where });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      const pdb = named('PodDisruptionBudget', where)!;
      expect(matches(pdb.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    }
  });

  it('the gateway reaches every subgraph through its Service, and only the gateway may', () => {
    const urls = named('ConfigMap', 'opsorch-gateway-env')!.data.OPSORCH_SUBGRAPH_URLS.split(',');
    expect(urls).toEqual(SUBGRAPH_NAMES.map((n) => `${n}=http://opsorch-${n}:${PORT}/graphql`));
    for (const name of SUBGRAPH_NAMES) expect(named('Service', `opsorch-${name}`)!.spec.ports[0].port).toBe(PORT);
    const policy = ofKind('NetworkPolicy')[0]!;
    const guarded = policy.spec.podSelector.matchExpressions[0].values as string[];
    for (const name of SUBGRAPH_NAMES) {
      expect(guarded).toContain(named('Deployment', `opsorch-${name}`)!.spec.template.metadata.labels['app.kubernetes.io/component']);
    }
    expect(guarded).not.toContain('gateway');
    expect(matches(policy.spec.ingress[0].from[0].podSelector.matchLabels, named('Deployment', 'opsorch-gateway')!.spec.template.metadata.labels)).toBe(true);
  });

  it('sets only variables OpsOrch reads, and its provider file loads', () => {
    const sources = ['gateway/src', 'adapters/src', 'subgraphs', 'mcp/src']
      .flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name)))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    for (const map of ['opsorch-env', 'opsorch-gateway-env']) {
      for (const variable of Object.keys(named('ConfigMap', map)!.data)) {
        if (variable.startsWith('OTEL_')) continue; // read by name in tracing.ts below
        expect(sources, `${map}: ${variable} is read nowhere`).toContain(variable);
      }
    }
    expect(readFileSync(join(ROOT, 'gateway/src/observability/tracing.ts'), 'utf8')).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');

    const folder = mkdtempSync(join(tmpdir(), 'opsorch-deploy-'));
    const file = join(folder, 'opsorch.yaml');
    writeFileSync(file, named('ConfigMap', 'opsorch-config')!.data['opsorch.yaml']);
    const env = named('ConfigMap', 'opsorch-env')!.data as Record<string, string>;
    expect(env.OPSORCH_CONFIG).toBe('/etc/opsorch/opsorch.yaml');
    const settings = readRuntimeSettings({ ...env, OPSORCH_CONFIG: file });
    expect(settings.capabilities.incidents).toEqual([expect.objectContaining({ kind: 'demo', timeoutMs: Number(env.OPSORCH_PROVIDER_TIMEOUT_MS) })]);
  });

  it('gives every process the gateway-to-subgraph signing key from a Secret, by reference', () => {
    const env = named('ConfigMap', 'opsorch-env')!.data as Record<string, string>;
    const variable = /^secret:\/\/env\/(\w+)$/.exec(env.OPSORCH_SUBGRAPH_SIGNING_KEY ?? '')?.[1];
    expect(variable, 'OPSORCH_SUBGRAPH_SIGNING_KEY is a secret://env reference').toBeDefined();
    for (const deployment of ofKind('Deployment')) {
      const container = deployment.spec.template.spec.containers[0];
      expect(container.env.find((e: Doc) => e.name === variable), deployment.metadata.name).toEqual({
        name: variable,
        valueFrom: { secretKeyRef: { name: SUBGRAPH_KEY_SECRET, key: 'key' } },
      });
    }
    // The reference resolves to a usable key, as a pod started with the Secret sees it.
    const { config } = loadSecurityConfig({ ...env, OPSORCH_CONFIG: '', [variable!]: 'k'.repeat(48) });
    expect(config.subgraphs.signingKey).toBe('k'.repeat(48));
  });

  it('kustomization.yaml applies every manifest', () => {
    const kustomization = parseAllDocuments(readFileSync(join(KUBERNETES_DIR, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as Doc;
    expect(kustomization.resources.sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'))
    .map((l) => l.trim());

  it('builds from Node 20 and installs every workspace from the lock file', () => {
    expect(instructions[0]).toMatch(/^FROM node:20[-.\w]*$/);
    const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    for (const workspace of workspaces) expect(instructions).toContain(`COPY ${workspace}/package.json ${workspace}/`);
    expect(instructions).toContain('COPY package.json package-lock.json ./');
    expect(instructions.some((l) => l.startsWith('RUN npm ci'))).toBe(true);
  });

  it('copies the dependency patches before the install, whose postinstall applies them', () => {
    expect((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.postinstall).toBe('patch-package');
    const patches = instructions.indexOf('COPY patches/ patches/');
    expect(patches).toBeGreaterThan(-1);
    expect(patches).toBeLessThan(instructions.findIndex((l) => l.startsWith('RUN npm ci')));
  });

  it('runs in production mode, set after the install (which needs the dev tools the image runs with)', () => {
    const production = instructions.indexOf('ENV NODE_ENV=production');
    expect(production).toBeGreaterThan(instructions.findIndex((l) => l.startsWith('RUN npm ci')));
  });

  it('runs `opsorch` as an unprivileged user on the port the manifests probe, with a health check', () => {
    expect(instructions).toContain(`EXPOSE ${PORT}`);
    expect(instructions).toContain('USER node');
    // Node started as `npm start` starts it (decision 047).
    expect(instructions).toContain(`ENTRYPOINT ["node", "${YOUNG_GENERATION_FLAG}", "bin/opsorch.mjs"]`);
    expect(instructions).toContain('CMD ["start"]');
    expect(instructions.find((l) => l.startsWith('HEALTHCHECK'))).toContain('/healthz');
    const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
    expect(dockerignore).toMatch(/^\*\*\/node_modules$/m);
  });
});
