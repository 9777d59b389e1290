// Test support: PagerDuty's published document (../shared/vendor-api/pagerduty.openapi.json) as the contract fakes
// use it, with its known errors corrected and the one operation the slice lacks added, each saying why.

type Json = Record<string, any>;

/** Corrects and completes PagerDuty's document for `startContractFake({ patchSpec })`. */
export function patchPagerDutySpec(document: Json): void {
  // The document types an incident body's `details` as an object; its own request example and the API take text.
  document.components.schemas.IncidentBody.properties.details = { type: 'string' };
  // The change events' `since`/`until` carry `pattern: "YYYY-MM-DDThh:mm:ssZ"`, a format written as a pattern
  // (as a regular expression it matches only that text): the date-time format stays, the pattern goes.
  delete document.components.parameters.change_since.schema.pattern;
  delete document.components.parameters.change_until.schema.pattern;
  // An acknowledgement's log entry names its type `acknowledgement_log_entry`, which the base LogEntry's own enum
  // refuses (no entry could match both); the base enum and the API say `acknowledge_log_entry`.
  document.components.schemas.AcknowledgeLogEntry.allOf[1].properties.type.enum = ['acknowledge_log_entry'];
  // The slice lacks the account's log (`GET /log_entries`, operation `listLogEntries` of PagerDuty's REST API v2):
  // its parameters and answer are an incident's log entries' without the incident id, plus `team_ids[]`.
  const incidentLog = document.paths['/incidents/{id}/log_entries'].get;
  document.paths['/log_entries'] = {
    get: {
      ...incidentLog,
      tags: ['Log Entries'],
      operationId: 'listLogEntries',
      summary: 'List log entries',
      description: 'List all of the incident log entries across the entire account.',
      parameters: [
        ...incidentLog.parameters.filter((p: Json) => p.$ref !== '#/components/parameters/id'),
        { name: 'team_ids[]', in: 'query', description: 'An array of team IDs.', explode: true, schema: { type: 'array', items: { type: 'string' }, uniqueItems: true } },
      ],
    },
  };
}
