import type { Request } from 'express';

/** The `:id` route parameter (Express 5 types allow arrays for wildcard params). */
export function idParam(req: Request): string {
  const { id } = req.params;
  return typeof id === 'string' ? id : '';
}
