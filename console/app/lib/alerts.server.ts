import { z } from 'zod';

/** The silence form's fields, shared by the alert list (bulk) and the alert page. */
export const SilenceFields = z.object({
  duration: z.string().regex(/^\d+[smhdw]$/, 'Give a duration such as 30m, 2h or 1d (at most 7d).'),
  comment: z.string().max(1000, 'Keep the comment under 1,000 characters.').optional(),
});
