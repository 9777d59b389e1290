// One tile per service, coloured by health, worst first within each tier: the estate at a glance.
import { Link } from '@remix-run/react';
import { servicePath } from './tables.tsx';

const RANK: Record<string, number> = { DOWN: 0, DEGRADED: 1, UNKNOWN: 2, HEALTHY: 3 };

export function HealthGrid({
  services,
}: {
  services: { id: string; name: string; tier: string; health: { status: string; reason: string | null; firingAlerts: number } | null }[];
}) {
  const sorted = [...services].sort(
    (a, b) => (RANK[a.health?.status ?? 'UNKNOWN'] ?? 2) - (RANK[b.health?.status ?? 'UNKNOWN'] ?? 2) || a.tier.localeCompare(b.tier) || a.id.localeCompare(b.id),
  );
  return (
    <ul className="health-grid">
      {sorted.map((s) => {
        const status = (s.health?.status ?? 'UNKNOWN').toLowerCase();
        return (
          <li key={s.id}>
            <Link
              to={servicePath(s.id)}
              className={`tile tile-${status}`}
              title={`${s.name}: ${status}${s.health?.reason ? ` — ${s.health.reason}` : ''}`}
            >
              <span className="tile-name">{s.id}</span>
              <span className="tile-meta">
                {s.tier.replace('TIER_', 'T')}
                {s.health?.firingAlerts ? ` · ${s.health.firingAlerts} alert${s.health.firingAlerts > 1 ? 's' : ''}` : ''}
              </span>
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
