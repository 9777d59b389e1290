/** The console's icon (a red dot), inline so no page needs a request for it; server/page.ts and GraphiQL use it too. */
export const FAVICON_HREF =
  'data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22><circle cx=%228%22 cy=%228%22 r=%226%22 fill=%22%23e5534b%22/></svg>';
