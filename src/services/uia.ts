// User-Interactive Authentication (client-server "User-Interactive Authentication API"):
// a session, the flows the operation accepts, and the stages completed so far. Each
// call either completes the operation's auth or answers 401 with what is still needed.
import * as z from 'zod';
import { MatrixError } from '../core/errors.js';
import * as uiaDb from '../db/uia.js';
import * as usersDb from '../db/users.js';
import { randomToken } from '../platform/random.js';
import { verifyPassword } from './passwords.js';
import { resolveLocalUser } from './users.js';

const SESSION_LIFETIME_MS = 60 * 60 * 1000;

export type UiaStage = 'm.login.dummy' | 'm.login.password' | 'm.login.registration_token';

export const authDictSchema = z
  .object({
    type: z.string().optional(),
    session: z.string().optional(),
    password: z.string().optional(),
    token: z.string().optional(),
    user: z.string().optional(),
    identifier: z.object({ type: z.string(), user: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

export type AuthDict = z.infer<typeof authDictSchema>;

export interface UiaRequest {
  db: D1Database;
  serverName: string;
  /** Names the operation; a session started for one operation can't complete another. */
  kind: string;
  flows: UiaStage[][];
  params?: Record<string, unknown>;
  /** The user the stages must authenticate as (absent for registration). */
  userId?: string;
  auth: AuthDict | undefined;
  now: number;
  /** Iterations for password checks (config.passwordHashIterations). */
  passwordHashIterations: number;
}

export interface UiaDone {
  sessionId: string;
  /** A registration token reserved by this session, to be marked completed with the operation. */
  registrationToken: string | null;
}

function challenge(req: UiaRequest, sessionId: string, completed: string[], failure?: MatrixError): MatrixError {
  const extra = { flows: req.flows.map((stages) => ({ stages })), params: req.params ?? {}, session: sessionId, completed };
  if (failure) return new MatrixError(401, failure.errcode, failure.message, extra);
  return new MatrixError(401, 'M_UNAUTHORIZED', 'Additional authentication required', extra);
}

async function checkStage(req: UiaRequest, auth: AuthDict, session: uiaDb.UiaSessionRow): Promise<MatrixError | undefined> {
  switch (auth.type) {
    case 'm.login.dummy':
      return undefined;
    case 'm.login.password': {
      const who = auth.identifier?.type === 'm.id.user' ? auth.identifier.user : auth.user;
      const userId = who === undefined ? undefined : resolveLocalUser(who, req.serverName);
      if (!userId || userId !== req.userId || auth.password === undefined) {
        return new MatrixError(403, 'M_FORBIDDEN', 'Invalid username or password');
      }
      const user = await usersDb.findUser(req.db, userId);
      const { ok } = await verifyPassword(auth.password, user?.password_hash ?? null, req.passwordHashIterations);
      return ok ? undefined : new MatrixError(403, 'M_FORBIDDEN', 'Invalid username or password');
    }
    case 'm.login.registration_token': {
      if (typeof auth.token !== 'string') return new MatrixError(400, 'M_MISSING_PARAM', 'Missing token');
      if (session.registration_token === auth.token) return undefined;
      const ok = await uiaDb.reserveRegistrationToken(req.db, auth.token, session.session_id, req.now);
      return ok ? undefined : new MatrixError(401, 'M_FORBIDDEN', 'Invalid registration token');
    }
    default:
      return new MatrixError(400, 'M_UNRECOGNIZED', `Unrecognized auth type ${String(auth.type)}`);
  }
}

/** Runs one UIA round. Resolves when a flow is complete; otherwise throws the 401 challenge. */
export async function runUia(req: UiaRequest): Promise<UiaDone> {
  let session: uiaDb.UiaSessionRow | null = null;
  if (req.auth?.session !== undefined) {
    session = await uiaDb.findUiaSession(req.db, req.auth.session);
    if (!session || session.kind !== req.kind || (session.user_id ?? undefined) !== req.userId) {
      throw new MatrixError(400, 'M_INVALID_PARAM', 'Unknown or mismatched UIA session');
    }
  } else {
    const id = randomToken(18);
    await uiaDb.insertUiaSession(req.db, {
      id,
      kind: req.kind,
      userId: req.userId ?? null,
      now: req.now,
      expireBefore: req.now - SESSION_LIFETIME_MS,
    });
    session = (await uiaDb.findUiaSession(req.db, id))!;
  }

  const completed: string[] = JSON.parse(session.completed);
  if (req.auth?.type !== undefined) {
    const allowed = req.flows.some((f) => f.includes(req.auth!.type as UiaStage));
    const failure = allowed
      ? await checkStage(req, req.auth, session)
      : new MatrixError(400, 'M_UNRECOGNIZED', `Auth type ${req.auth.type} is not allowed here`);
    if (failure) throw challenge(req, session.session_id, completed, failure);
    if (!completed.includes(req.auth.type)) {
      completed.push(req.auth.type);
      await uiaDb.setUiaCompleted(req.db, session.session_id, completed);
    }
  }
  if (req.flows.some((flow) => flow.every((stage) => completed.includes(stage)))) {
    const fresh = await uiaDb.findUiaSession(req.db, session.session_id);
    return { sessionId: session.session_id, registrationToken: fresh?.registration_token ?? null };
  }
  throw challenge(req, session.session_id, completed);
}

/** The operation succeeded: the session can't be replayed. */
export async function finishUia(db: D1Database, done: UiaDone): Promise<void> {
  const statements = [uiaDb.deleteUiaSession(db, done.sessionId)];
  if (done.registrationToken) statements.push(uiaDb.completeRegistrationToken(db, done.registrationToken));
  await db.batch(statements);
}
