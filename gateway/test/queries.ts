/**
 * The war-room question in ONE request: open incidents with severity, service, owner team and who is on
 * call, the service's firing alerts, its dependencies' health, the deploys in the hour before the
 * incident, and the last timeline entries.
 */
export const WAR_ROOM = /* GraphQL */ `
  query WarRoom($first: Int = 25) {
    incidents(filter: { statuses: [TRIGGERED, ACKNOWLEDGED] }, first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      providerErrors { capability provider code }
      nodes {
        id
        number
        title
        severity
        rawSeverity
        status
        startedAt
        url
        source { provider instance id }
        service {
          id
          name
          owner {
            id
            name
            onCall { level start end user { id name email } }
          }
          alerts(states: [FIRING]) { nodes { id name severity summary startsAt } }
          dependencies { id name health { status reason firingAlerts } }
        }
        deploymentsBefore(within: "1h") {
          id
          version
          environment
          status
          startedAt
          author { id name }
          commit { shortSha message }
        }
        timeline(first: 3) { nodes { at kind message actor { id name } } }
      }
    }
  }
`;

/** The light read: ten incidents with their service (the console's incident list asks about this much). */
export const INCIDENTS_WITH_SERVICE = /* GraphQL */ `
  query IncidentsWithService($first: Int = 10) {
    incidents(first: $first) {
      nodes {
        id
        number
        title
        severity
        status
        startedAt
        service { id name tier }
      }
    }
  }
`;
