/**
 * `pat.settingsPage()`: the server-rendered page where a signed-in user lists, creates, rotates
 * and revokes their tokens. Every change goes through the token service, so the page follows the
 * JSON API's rules; every form post carries a CSRF token, and a create or rotate form issues at
 * most one token.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import {
  CsrfError,
  FormAlreadySubmittedError,
  NotFoundError,
  PatError,
  PayloadTooLargeError,
  ScopeNotAllowedError,
  UnauthenticatedError,
  ValidationFailedError,
} from '../../errors.js';
import type { PatConfig } from '../../options.js';
import { DAY_MS } from '../../service/token-input.js';
import type { IssuedToken, TokenService } from '../../service/token-service.js';
import { authenticatedUserId } from '../authenticate-user.js';
import { idParam } from '../params.js';
import { presentedFrom } from '../require-token.js';
import { isMalformedPathParameter, reportedPatError, setErrorHeaders } from '../respond.js';
import { SCRIPT_PATH, serveScript, serveStylesheet, STYLESHEET_PATH } from './assets.js';
import {
  blankForm,
  createInputOf,
  expiryChoices,
  formProblems,
  readFormValues,
  type CreateFormValues,
  type FormProblem,
} from './create-form.js';
import { createCsrfGuard, type SubmittedForm } from './csrf.js';
import type { Html } from './html.js';
import { resolveSettingsPageOptions, type SettingsPageOptions } from './options.js';
import { graceChoices, NO_GRACE, readGraceSeconds } from './rotate-form.js';
import { securityHeaders } from './security-headers.js';
import { confirmPage, type GracePickerView } from './templates/confirm-page.js';
import type { CreateFormView } from './templates/create-form.js';
import { errorPage } from './templates/error-page.js';
import type { PageContext } from './templates/layout.js';
import { listPage, type ListPageView } from './templates/list-page.js';
import { createUsedForms } from './used-forms.js';

const FORM_BODY_LIMIT = '16kb';
/** The create form has five fields, one per scope ticked; more than this is not a form of ours. */
const FORM_PARAMETER_LIMIT = 200;
/** The `?notice=` values the list page understands (never echoed: each maps to a fixed text). */
const NOTICES: Readonly<Record<string, string>> = { revoked: 'The token was revoked: it no longer works.' };

function send(res: Response, status: number, page: Html): void {
  res.status(status).type('html').send(page.markup);
}

function tooManyFields(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'type' in error && error.type === 'parameters.too.many';
}

/** Create refusals shown on the form itself; anything else gets the error page. */
function isFormRefusal(error: unknown): error is PatError {
  return error instanceof PatError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429;
}

/** Builds the settings router. Paths are relative to where it is mounted. */
export function createSettingsRouter(config: PatConfig, service: TokenService, options?: SettingsPageOptions): Router {
  const { title } = resolveSettingsPageOptions(options);
  const pepper = config.peppers[0];
  if (pepper === undefined) throw new TypeError('express-pat: at least one pepper is required.');
  const csrf = createCsrfGuard(pepper.secret, config.now);
  const choices = expiryChoices(config.maxLifetimeDays, config.requireExpiry);
  const graces = graceChoices(config.maxRotationGraceSeconds);
  const usedForms = createUsedForms(() => config.now().getTime());
  const users = new WeakMap<Request, string>();
  const submitted = new WeakMap<Request, SubmittedForm>();

  function userOf(req: Request): string {
    const userId = users.get(req);
    if (userId === undefined) throw new UnauthenticatedError();
    return userId;
  }

  function contextOf(req: Request): PageContext {
    const userId = users.get(req);
    return { base: req.baseUrl, title, csrf: userId === undefined ? '' : csrf.issue(userId) };
  }

  function formView(values: CreateFormValues, problems: readonly FormProblem[]): CreateFormView {
    const now = config.now().getTime();
    const day = (offsetMs: number): string => new Date(now + offsetMs).toISOString().slice(0, 10);
    return {
      scopes: config.scopes.list,
      choices,
      values,
      problems,
      minDate: day(DAY_MS),
      maxDate: day(config.maxLifetimeDays * DAY_MS),
    };
  }

  /**
   * Records that the request's form was posted, and returns how to forget it again when the post
   * issued nothing (so the user can correct the form and send it again).
   * @throws FormAlreadySubmittedError (`form_already_submitted`) when the form was posted before.
   */
  function claimForm(req: Request): () => void {
    const form = submitted.get(req);
    if (form === undefined) throw new CsrfError();
    if (!usedForms.claim(form)) throw new FormAlreadySubmittedError();
    return () => usedForms.release(form);
  }

  function gracePicker(problem?: string): GracePickerView {
    return { choices: graces, selected: NO_GRACE, problem };
  }

  async function renderList(req: Request, res: Response, status: number, view: Partial<ListPageView> = {}): Promise<void> {
    const tokens = await service.list(userOf(req));
    send(res, status, listPage(contextOf(req), { tokens, form: formView(blankForm(choices), []), ...view }));
  }

  /** Answers errors of this router's routes with the error page (and the authenticator's challenge). */
  const renderError: ErrorRequestHandler = (thrown: unknown, req, res, next) => {
    if (res.headersSent) {
      next(thrown);
      return;
    }
    const error = reportedPatError(thrown, config.onStoreError);
    setErrorHeaders(res, error);
    send(res, error.status, errorPage(contextOf(req), error));
  };

  const signedIn: RequestHandler = async (req, _res, next) => {
    users.set(req, await authenticatedUserId(req, config));
    next();
  };
  const parseForm = express.urlencoded({ extended: false, limit: FORM_BODY_LIMIT, parameterLimit: FORM_PARAMETER_LIMIT });
  // body-parser reports too many fields as its own 413, which the JSON mapping does not know.
  const formBody: RequestHandler = (req, res, next) =>
    parseForm(req, res, (error?: unknown) => next(tooManyFields(error) ? new PayloadTooLargeError() : error));
  const verifyCsrf: RequestHandler = (req, _res, next) => {
    submitted.set(req, csrf.verify(req, userOf(req)));
    next();
  };
  /**
   * Express's router fails to decode an `:id` with malformed percent-encoding (`/%zz/rotate`)
   * before any handler of the route runs, so the routes' own error page never sees it. Answered
   * as an unknown id is (the page's headers, sign-in first, then 404 `not_found`), never logged;
   * every other error goes on to the app.
   */
  const malformedId: ErrorRequestHandler = (thrown: unknown, req, res, next) => {
    if (!isMalformedPathParameter(thrown)) {
      next(thrown);
      return;
    }
    securityHeaders(req, res, () => {
      authenticatedUserId(req, config).then(
        (userId) => {
          users.set(req, userId);
          renderError(new NotFoundError(), req, res, next);
        },
        (error: unknown) => renderError(error, req, res, next),
      );
    });
  };
  const page = [securityHeaders, signedIn];
  const post = [securityHeaders, signedIn, formBody, verifyCsrf];

  const showList: RequestHandler = async (req, res) => {
    const { notice } = req.query;
    await renderList(req, res, 200, { notice: typeof notice === 'string' ? NOTICES[notice] : undefined });
  };

  const create: RequestHandler = async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = readFormValues(body);
    const release = claimForm(req);
    let issued: IssuedToken;
    try {
      issued = await service.create(userOf(req), createInputOf(body, values, choices), presentedFrom(req));
    } catch (error) {
      release();
      if (!isFormRefusal(error)) throw error;
      const problems =
        error instanceof ValidationFailedError
          ? formProblems(error.details, values)
          : error instanceof ScopeNotAllowedError
            ? [{ field: 'scopes' as const, message: error.message.replace(/\.$/, '') }]
            : [];
      await renderList(req, res, error.status, { form: formView(values, problems), refusal: error });
      return;
    }
    await renderList(req, res, 201, { issued: { token: issued, by: 'created' } });
  };

  const confirmRotate: RequestHandler = async (req, res) => {
    const token = await service.get(userOf(req), idParam(req));
    send(res, 200, confirmPage(contextOf(req), token, { action: 'rotate', grace: gracePicker() }));
  };

  const confirmRevoke: RequestHandler = async (req, res) => {
    const token = await service.get(userOf(req), idParam(req));
    send(res, 200, confirmPage(contextOf(req), token, { action: 'revoke' }));
  };

  const rotate: RequestHandler = async (req, res) => {
    const userId = userOf(req);
    const graceSeconds = readGraceSeconds((req.body ?? {}) as Record<string, unknown>, graces);
    if (graceSeconds === undefined) {
      // Refused before the form is claimed: the page shown again carries a new form anyway.
      const token = await service.get(userId, idParam(req));
      const problem = 'Keep the old token working for: choose one of the offered times';
      send(res, 400, confirmPage(contextOf(req), token, { action: 'rotate', grace: gracePicker(problem) }));
      return;
    }
    const release = claimForm(req);
    let issued: IssuedToken;
    try {
      issued = await service.rotate(userId, idParam(req), { graceSeconds }, presentedFrom(req));
    } catch (error) {
      release();
      throw error;
    }
    // The service stops the old token `graceSeconds` after the rotation, which is the successor's creation.
    const oldStopsAt = new Date(issued.createdAt.getTime() + graceSeconds * 1000);
    await renderList(req, res, 201, { issued: { token: issued, by: 'rotated', oldStopsAt } });
  };

  const revoke: RequestHandler = async (req, res) => {
    await service.revoke(userOf(req), idParam(req), presentedFrom(req));
    // See Other: reloading the list afterwards does not post the form again.
    res.redirect(303, `${req.baseUrl}/?notice=revoked`);
  };

  // Per route, not router.use(): an app may mount the router at "/", and its other routes must
  // not inherit these headers, this authentication or this error page.
  const router = express.Router();
  router.get(SCRIPT_PATH, securityHeaders, serveScript);
  router.get(STYLESHEET_PATH, securityHeaders, serveStylesheet);
  router.get('/', ...page, showList, renderError);
  router.post('/', ...post, create, renderError);
  router.get('/:id/rotate', ...page, confirmRotate, renderError);
  router.post('/:id/rotate', ...post, rotate, renderError);
  router.get('/:id/revoke', ...page, confirmRevoke, renderError);
  router.post('/:id/revoke', ...post, revoke, renderError);
  // Reached only by errors raised inside this router: its route handlers answer their own.
  router.use(malformedId);
  return router;
}
