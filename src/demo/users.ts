/** `POST /users`: the demo's sign-up, so there is someone to own tokens. */
import express, { type Router } from 'express';
import { body, checkExact } from 'express-validator';
import { hashPassword, PatError, rejectInvalidRequest, requireJsonObject, StoreUnavailableError } from '../index.js';
import type { DemoPrismaClient } from './prisma.js';

/** 409 `email_taken`: a user with this email exists. */
export class EmailTakenError extends PatError {
  constructor() {
    super('email_taken', 409, 'A user with this email already exists.');
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2002';
}

/** The sign-up router: `POST /` with `{ email, password }` → 201 `{ id, email }`. */
export function usersRouter(prisma: DemoPrismaClient, bcryptCost: number): Router {
  const router = express.Router();
  router.post(
    '/',
    express.json({ limit: '16kb' }),
    requireJsonObject,
    checkExact(
      [
        body('email').isString().bail().trim().toLowerCase().isEmail().withMessage('must be an email address'),
        body('password')
          .isString()
          .withMessage('must be a string')
          .bail()
          .isLength({ min: 8 })
          .withMessage('must be at least 8 characters')
          .custom((value: string) => Buffer.byteLength(value) <= 72)
          .withMessage('must be at most 72 bytes'),
      ],
      { locations: ['body'] },
    ),
    rejectInvalidRequest,
    async (req, res) => {
      const { email, password } = req.body as { email: string; password: string };
      const passwordHash = await hashPassword(password, bcryptCost);
      try {
        const user = await prisma.user.create({ data: { email, passwordHash }, select: { id: true, email: true } });
        res.status(201).json(user);
      } catch (error) {
        throw isUniqueViolation(error) ? new EmailTakenError() : new StoreUnavailableError(error);
      }
    },
  );
  return router;
}
