// What every Datadog provider but the alerts one (built on the kit's snapshot alerts) holds: the API client, the
// web app's URL for deep links, and the service identity mapping of the `service` tag.
import type { ProviderDeps, ServiceCatalog } from '../src/provider.ts';
import { ServiceIdentity } from '../kit/identity.ts';
import { DatadogApi, datadogUrls } from './api.ts';
import type { DatadogSettings } from './settings.ts';

export abstract class DatadogProvider {
  readonly kind = 'datadog';
  readonly instance: string;
  readonly api: DatadogApi;
  /** The web app's base URL (deep links). */
  protected readonly app: string;
  protected readonly identity: ServiceIdentity;
  protected readonly catalog: ServiceCatalog | undefined;

  constructor(
    protected readonly settings: DatadogSettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    this.catalog = deps.catalog;
    this.api = new DatadogApi(settings, deps.logger);
    this.app = datadogUrls(settings).app;
    this.identity = new ServiceIdentity({ system: settings.catalogSystem, aliases: settings.serviceAliases, catalog: deps.catalog });
  }

  /** The tags naming services and environments. */
  protected get tags(): { service: string; environment: string } {
    return { service: this.settings.serviceTag, environment: this.settings.environmentTag };
  }
}
