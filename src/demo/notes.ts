/**
 * The demo's guarded API. Notes live in memory: they only exist to show `requireToken` at work
 * (tokens and users are in the database and survive restarts).
 */
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { body, checkExact } from 'express-validator';
import { rejectInvalidRequest, requireJsonObject, type PersonalAccessTokens } from '../index.js';

interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: Date;
}

/** `/api`: ping (unguarded, no database), whoami, and notes guarded by scope. */
export function apiRouter(pat: PersonalAccessTokens): Router {
  const notesByUser = new Map<string, Note[]>();
  const router = express.Router();

  router.get('/ping', (_req, res) => {
    res.json({ pong: true });
  });

  router.get('/whoami', pat.requireToken(), (req, res) => {
    const { userId, tokenId, scopes } = req.pat!;
    res.json({ userId, tokenId, scopes });
  });

  router.get('/notes', pat.requireToken(['notes:read']), (req, res) => {
    res.json({ notes: notesByUser.get(req.pat!.userId) ?? [] });
  });

  router.post(
    '/notes',
    pat.requireToken(['notes:write']),
    express.json({ limit: '16kb' }),
    requireJsonObject,
    checkExact(
      [body('text').isString().bail().trim().isLength({ min: 1, max: 1000 }).withMessage('must be 1 to 1000 characters')],
      { locations: ['body'] },
    ),
    rejectInvalidRequest,
    (req, res) => {
      const note: Note = { id: randomUUID(), text: (req.body as { text: string }).text, createdAt: new Date() };
      const userId = req.pat!.userId;
      notesByUser.set(userId, [...(notesByUser.get(userId) ?? []), note]);
      res.status(201).json(note);
    },
  );
  return router;
}
