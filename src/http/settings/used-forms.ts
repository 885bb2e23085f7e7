/**
 * The settings page's memory of the create and rotate forms already posted, so that a reload
 * re-posting one (or a double click) cannot issue a second token. In memory, so per instance;
 * bounded, and a form is forgotten once its CSRF token has expired, when the CSRF check refuses
 * it anyway.
 */
import type { SubmittedForm } from './csrf.js';

/**
 * Forms remembered at most (each entry is a 22-character id and a number: about 10 MB when
 * full). Past it the earliest posts are forgotten first, and such a form could issue a token
 * again, as every form could before this memory existed.
 */
export const MAX_REMEMBERED_FORMS = 100_000;

/** Which forms were posted. */
export interface UsedForms {
  /** Records that `form` was posted: false when it had been already. */
  claim(form: SubmittedForm): boolean;
  /** Forgets a post that issued nothing (refused, or failed), so the same form may be posted again. */
  release(form: SubmittedForm): void;
}

/** An empty memory; `nowMs` is the clock the CSRF tokens are checked with. */
export function createUsedForms(nowMs: () => number, maxEntries = MAX_REMEMBERED_FORMS): UsedForms {
  /** Form id → when its CSRF token expires; iteration order is the order of the posts. */
  const used = new Map<string, number>();

  /** Drops the expired entries at the front (the earliest posts) and the earliest beyond the bound. */
  function prune(): void {
    const at = nowMs();
    for (const [id, expiresAtMs] of used) {
      if (expiresAtMs >= at && used.size <= maxEntries) break;
      used.delete(id);
    }
  }

  return {
    claim(form) {
      if (used.has(form.id)) return false;
      used.set(form.id, form.expiresAtMs);
      prune();
      return true;
    },

    release(form) {
      used.delete(form.id);
    },
  };
}
