// Writes deploy/kubernetes/*.yaml: plain Kubernetes manifests for the distributed shape (the gateway and one
// Deployment per subgraph, each with its Service, HPA and PodDisruptionBudget), generated from the subgraph list
// so a new subgraph cannot be forgotten. `npm run deploy:generate`; gateway/test/deploy.test.ts fails when stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { SUBGRAPH_NAMES } from '@opsorch/schema';

export const KUBERNETES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'kubernetes');
/** The image `docker build -t opsorch:0.1.0 .` makes; kustomize's `images:` rewrites it per environment. */
export const IMAGE = 'opsorch:0.1.0';
/** Every OpsOrch process listens here; the supergraph's routing URLs are http://opsorch-<name>:4000/graphql. */
export const PORT = 4000;

type Manifest = Record<string, unknown>;

/** The variable the signing key is read from (OPSORCH_SUBGRAPH_SIGNING_KEY refers to it). */
const SUBGRAPH_KEY_VARIABLE = 'OPSORCH_SUBGRAPH_KEY';

const labels = (component: string) => ({
  'app.kubernetes.io/name': 'opsorch',
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/part-of': 'opsorch',
});
const selector = (component: string) => ({ 'app.kubernetes.io/name': 'opsorch', 'app.kubernetes.io/component': component });

/** Settings shared by every process (ConfigMap `opsorch-env`). */
const sharedEnv: Record<string, string> = {
  OPSORCH_LOG_LEVEL: 'info',
  // The provider configuration file, mounted from ConfigMap `opsorch-config`; edits reload without a restart.
  OPSORCH_CONFIG: '/etc/opsorch/opsorch.yaml',
  OPSORCH_WATCH_CONFIG: 'true',
  OPSORCH_PROVIDER_TIMEOUT_MS: '10000',
  OPSORCH_PROVIDER_READ_ATTEMPTS: '3',
  OPSORCH_BREAKER_FAILURES: '5',
  OPSORCH_BREAKER_COOLDOWN_MS: '10000',
  // One tool's outage must not take every replica out of its Service: /readyz reports providers, the
  // circuit breakers and partial answers handle them.
  OPSORCH_READYZ_PROVIDERS: 'report',
  OPSORCH_TRACING: 'off',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318',
  // The gateway signs every request to a subgraph with this key and each subgraph verifies it (decision 014):
  // the value comes from the Secret opsorch-subgraph-key, which every pod needs.
  OPSORCH_SUBGRAPH_SIGNING_KEY: `secret://env/${SUBGRAPH_KEY_VARIABLE}`,
};

/** The Secret holding the gateway-to-subgraph signing key: created by the operator, never a manifest. */
export const SUBGRAPH_KEY_SECRET = 'opsorch-subgraph-key';

const providerConfig = `# Provider instances per capability (see README "Configuration"). Nothing listed: the demo world.
# Secrets are references, resolved at start-up and on reload: secret://env/NAME (from Secret opsorch-secrets)
# or secret://file/PATH (from Secret opsorch-secret-files, mounted at /etc/opsorch-secrets).
#
# capabilities:
#   metrics:
#     - instance: prom
#       provider: prometheus
#       config:
#         url: http://prometheus.monitoring:9090
#   alerts:
#     - instance: am
#       provider: alertmanager
#       config:
#         url: http://alertmanager.monitoring:9093
#         auth: { bearerToken: secret://file//etc/opsorch-secrets/alertmanager-token }
capabilities: {}
`;

function configMaps(): Manifest[] {
  const subgraphUrls = SUBGRAPH_NAMES.map((name) => `${name}=http://opsorch-${name}:${PORT}/graphql`).join(',');
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'opsorch-env', labels: labels('config') }, data: sharedEnv },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'opsorch-gateway-env', labels: labels('config') },
      // Every subgraph runs in its own Deployment; the gateway reaches each through its Service. Host names the
      // gateway answers to besides addresses (DNS-rebinding protection): its Service; add your Ingress host.
      data: {
        OPSORCH_SUBGRAPH_URLS: subgraphUrls,
        OPSORCH_ALLOWED_HOSTS: 'opsorch-gateway,opsorch-gateway.opsorch,opsorch-gateway.opsorch.svc,opsorch-gateway.opsorch.svc.cluster.local',
      },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'opsorch-config', labels: labels('config') }, data: { 'opsorch.yaml': providerConfig } },
  ];
}

interface ComponentSpec {
  component: string;
  name: string;
  args: string[];
  replicas: number;
  maxReplicas: number;
  envConfigMaps: string[];
  resources: { cpu: string; memory: string; memoryLimit: string };
  /** The gateway builds the web console on first start, so it may not run with a read-only root filesystem. */
  readOnlyRootFilesystem: boolean;
}

function component(spec: ComponentSpec): Manifest[] {
  const podLabels = labels(spec.component);
  const deployment: Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, labels: podLabels },
    spec: {
      replicas: spec.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector(spec.component) },
      // Never below the wanted capacity during a rollout; each old pod drains its requests on SIGTERM.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: podLabels,
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PORT), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'opsorch',
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: spec.args,
              ports: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
              envFrom: [
                ...spec.envConfigMaps.map((name) => ({ configMapRef: { name } })),
                // API tokens for secret://env/NAME references; optional so the demo runs without it.
                { secretRef: { name: 'opsorch-secrets', optional: true } },
              ],
              env: [
                { name: 'PORT', value: String(PORT) },
                // Required: a subgraph refuses to start without it, and a gateway with remote subgraphs too.
                { name: SUBGRAPH_KEY_VARIABLE, valueFrom: { secretKeyRef: { name: SUBGRAPH_KEY_SECRET, key: 'key' } } },
              ],
              // /healthz: the process answers. /readyz: supergraph loaded, not draining (providers reported).
              startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 60 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, timeoutSeconds: 6, failureThreshold: 2 },
              // Give the endpoints controller time to stop routing here before SIGTERM starts the drain.
              lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
              resources: {
                requests: { cpu: spec.resources.cpu, memory: spec.resources.memory },
                limits: { memory: spec.resources.memoryLimit },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: spec.readOnlyRootFilesystem,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'config', mountPath: '/etc/opsorch', readOnly: true },
                { name: 'secret-files', mountPath: '/etc/opsorch-secrets', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: 'opsorch-config' } },
            // Files for secret://file/... references (tokens, CA bundles); optional like the env Secret.
            { name: 'secret-files', secret: { secretName: 'opsorch-secret-files', optional: true } },
            { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
          ],
        },
      },
    },
  };
  const service: Manifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: spec.name, labels: podLabels },
    spec: { type: 'ClusterIP', selector: selector(spec.component), ports: [{ name: 'http', port: PORT, targetPort: 'http', protocol: 'TCP' }] },
  };
  const autoscaler: Manifest = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: spec.name, labels: podLabels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
      minReplicas: spec.replicas,
      maxReplicas: spec.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      // Scale down slowly: on-call traffic comes in bursts.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
  const disruptionBudget: Manifest = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: spec.name, labels: podLabels },
    spec: { minAvailable: 1, selector: { matchLabels: selector(spec.component) } },
  };
  return [deployment, service, autoscaler, disruptionBudget];
}

/**
 * Subgraphs answer only requests the gateway signed (decision 014); as a second wall, only the gateway (and
 * Prometheus) may reach them at all.
 */
function subgraphNetworkPolicy(): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'opsorch-subgraphs-from-gateway', labels: labels('subgraph') },
    spec: {
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: SUBGRAPH_NAMES.map((n) => `subgraph-${n}`) }] },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: selector('gateway') } }], ports: [{ port: PORT, protocol: 'TCP' }] },
        // Prometheus in any namespace labelled for monitoring may scrape /metrics.
        {
          from: [{ namespaceSelector: { matchLabels: { 'opsorch.io/scrape': 'true' } } }],
          ports: [{ port: PORT, protocol: 'TCP' }],
        },
      ],
    },
  };
}

/** Every manifest file, by name, as YAML text. */
export function renderManifests(): Record<string, string> {
  const header = '# Generated by deploy/generate.ts (npm run deploy:generate); edit the generator, not this file.\n';
  const asYaml = (docs: Manifest[]) => header + docs.map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
  const files: Record<string, string> = {
    'config.yaml': asYaml(configMaps()),
    'gateway.yaml': asYaml(
      component({
        component: 'gateway',
        name: 'opsorch-gateway',
        args: ['start', '--port', String(PORT)],
        replicas: 2,
        maxReplicas: 10,
        envConfigMaps: ['opsorch-env', 'opsorch-gateway-env'],
        resources: { cpu: '500m', memory: '512Mi', memoryLimit: '1536Mi' },
        readOnlyRootFilesystem: false,
      }),
    ),
    'network-policy.yaml': asYaml([subgraphNetworkPolicy()]),
  };
  for (const name of SUBGRAPH_NAMES) {
    files[`subgraph-${name}.yaml`] = asYaml(
      component({
        component: `subgraph-${name}`,
        name: `opsorch-${name}`,
        args: ['subgraph', name, '--port', String(PORT)],
        replicas: 2,
        maxReplicas: 6,
        envConfigMaps: ['opsorch-env'],
        resources: { cpu: '200m', memory: '256Mi', memoryLimit: '768Mi' },
        readOnlyRootFilesystem: true,
      }),
    );
  }
  files['kustomization.yaml'] =
    header +
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: 'opsorch',
      resources: Object.keys(files).sort(),
      images: [{ name: 'opsorch', newName: 'opsorch', newTag: '0.1.0' }],
    });
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(KUBERNETES_DIR, { recursive: true });
  for (const [file, text] of Object.entries(renderManifests())) writeFileSync(join(KUBERNETES_DIR, file), text);
  process.stdout.write(`wrote ${Object.keys(renderManifests()).length} files to ${KUBERNETES_DIR}\n`);
}
