/** Silence durations offered in the console; the API accepts up to 7 days. */
export const SILENCE_DURATIONS: [string, string][] = [
  ['15m', '15 minutes'],
  ['30m', '30 minutes'],
  ['1h', '1 hour'],
  ['2h', '2 hours'],
  ['4h', '4 hours'],
  ['8h', '8 hours'],
  ['1d', '1 day'],
  ['3d', '3 days'],
  ['7d', '7 days'],
];
