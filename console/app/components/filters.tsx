// Pieces of the list pages' filter bars (`<Form method="get" className="filters">`); values live in the URL.
import { Link, useSearchParams } from '@remix-run/react';

/** A row of checkboxes sending `name=value` once per checked option. */
export function CheckboxFilter<T extends string>({
  label,
  name,
  options,
  checked,
  format = (o) => o.toLowerCase(),
}: {
  label: string;
  name: string;
  options: readonly T[];
  checked: readonly T[];
  format?: (option: T) => string;
}) {
  return (
    <fieldset aria-label={label}>
      {options.map((o) => (
        <label key={o}>
          <input type="checkbox" name={name} value={o} defaultChecked={checked.includes(o)} /> {format(o)}
        </label>
      ))}
    </fieldset>
  );
}

/** `?service=`, chosen from the catalog. `search` makes it the target of the `/` shortcut on pages without a search box. */
export function ServiceFilter({ services, search }: { services: { id: string }[]; search?: boolean }) {
  const [params] = useSearchParams();
  return (
    <select name="service" defaultValue={params.get('service') ?? ''} aria-label="Service" data-search={search || undefined}>
      <option value="">Any service</option>
      {services.map((s) => (
        <option key={s.id} value={s.id}>
          {s.id}
        </option>
      ))}
    </select>
  );
}

/** `?team=`, chosen from the catalog. */
export function TeamFilter({ teams }: { teams: { id: string; name: string }[] }) {
  const [params] = useSearchParams();
  return (
    <select name="team" defaultValue={params.get('team') ?? ''} aria-label="Team">
      <option value="">Any team</option>
      {teams.map((t) => (
        <option key={t.id} value={t.id}>
          {t.name}
        </option>
      ))}
    </select>
  );
}

/** Without JavaScript the filters do not submit on change, so they need a button. */
export function ApplyWithoutScript() {
  return (
    <noscript>
      <button type="submit">Apply</button>
    </noscript>
  );
}

/** The end of a filter bar: the no-script Apply button and the link back to the page's default view. */
export function FilterEnd({ reset, label }: { reset: string; label: string }) {
  return (
    <>
      <ApplyWithoutScript />
      <Link to={reset} className="reset">
        {label}
      </Link>
    </>
  );
}
