// The service and environment both explorers filter by; choosing one applies it at once.
const submitOnChange = (e: { currentTarget: HTMLSelectElement }) => e.currentTarget.form?.requestSubmit();

export function ScopeSelects({ services, environments, service, environment }: { services: string[]; environments: string[]; service?: string | null; environment?: string | null }) {
  return (
    <>
      <select name="service" defaultValue={service ?? ''} aria-label="Service" onChange={submitOnChange}>
        <option value="">All services</option>
        {services.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <select name="env" defaultValue={environment ?? ''} aria-label="Environment" onChange={submitOnChange}>
        <option value="">All environments</option>
        {environments.map((e) => (
          <option key={e} value={e}>
            {e}
          </option>
        ))}
      </select>
    </>
  );
}
