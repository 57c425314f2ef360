// Push rules API (client-server "Push Rules: API", pushrules.yaml). The only ruleset is
// `global`; the path keeps the legacy scope segment, so any other scope, an unknown kind or
// attribute, or a path missing a part is 400 M_INVALID_PARAM, as other servers answer.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { MatrixError, invalidParam } from '../../core/errors.js';
import {
  checkUserRuleId,
  deletePushRule,
  getPushRule,
  getPushRules,
  getRuleset,
  isPushRuleKind,
  pushRuleActionsBodySchema,
  pushRuleBodySchema,
  pushRuleEnabledBodySchema,
  setPushRule,
  setPushRuleActions,
  setPushRuleEnabled,
  type PushRuleKind,
  type PushRuleOutcome,
} from '../../services/push-rules.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { notifyAccountData } from './sync.js';

const BASE = '/_matrix/client/v3/pushrules';

/** Push rules are not among the endpoints the Guest Access module opens to guests. */
const denyGuests: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.auth.isGuest) throw new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guests cannot manage push rules');
  await next();
};

const auth = [requireAccessToken, denyGuests] as const;

function checkScope(scope: string): void {
  if (scope !== 'global') throw invalidParam(`Unknown push rule scope '${scope}': only 'global' exists`);
}

/** The `{kind}` and `{ruleId}` of the path, after checking the scope and kind. */
function ruleTarget(c: Context<AppEnv>): { kind: PushRuleKind; ruleId: string } {
  const scope = c.req.param('scope') ?? '';
  const kind = c.req.param('kind') ?? '';
  checkScope(scope);
  if (!isPushRuleKind(kind)) throw invalidParam(`Unknown push rule kind '${kind}'`);
  return { kind, ruleId: c.req.param('ruleId') ?? '' };
}

function attribute(c: Context<AppEnv>): 'enabled' | 'actions' {
  const attr = c.req.param('attr');
  if (attr !== 'enabled' && attr !== 'actions') throw invalidParam(`Unknown push rule attribute '${attr}'`);
  return attr;
}

function unwrap(outcome: PushRuleOutcome): void {
  if (!outcome.ok) throw new MatrixError(outcome.errcode === 'M_NOT_FOUND' ? 404 : 400, outcome.errcode, outcome.error);
}

const notFound = () => new MatrixError(404, 'M_NOT_FOUND', 'The push rule was not found.');

export const pushRuleRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/pushrules/
  .get(`${BASE}/`, ...auth, async (c) => c.json(await getPushRules(c.env.DB, c.var.auth.userId)))
  // GET /_matrix/client/v3/pushrules/global/
  .get(`${BASE}/:scope/`, ...auth, async (c) => {
    checkScope(c.req.param('scope'));
    return c.json(await getRuleset(c.env.DB, c.var.auth.userId));
  })
  // GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}
  .get(`${BASE}/:scope/:kind/:ruleId`, ...auth, async (c) => {
    const { kind, ruleId } = ruleTarget(c);
    const rule = await getPushRule(c.env.DB, c.var.auth.userId, kind, ruleId);
    if (!rule) throw notFound();
    return c.json(rule);
  })
  // PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}
  .put(`${BASE}/:scope/:kind/:ruleId`, ...auth, notifyAccountData, async (c) => {
    const { kind, ruleId } = ruleTarget(c);
    const idCheck = checkUserRuleId(ruleId);
    if (!idCheck.ok) throw invalidParam(idCheck.reason);
    const body = await jsonBody(c, pushRuleBodySchema(kind));
    const anchors = { before: c.req.query('before'), after: c.req.query('after') };
    unwrap(await setPushRule(c.env.DB, c.var.auth.userId, kind, ruleId, body, anchors));
    return c.json({});
  })
  // DELETE /_matrix/client/v3/pushrules/global/{kind}/{ruleId}
  .delete(`${BASE}/:scope/:kind/:ruleId`, ...auth, notifyAccountData, async (c) => {
    const { kind, ruleId } = ruleTarget(c);
    unwrap(await deletePushRule(c.env.DB, c.var.auth.userId, kind, ruleId));
    return c.json({});
  })
  // GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled
  // GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions
  .get(`${BASE}/:scope/:kind/:ruleId/:attr`, ...auth, async (c) => {
    const { kind, ruleId } = ruleTarget(c);
    const attr = attribute(c);
    const rule = await getPushRule(c.env.DB, c.var.auth.userId, kind, ruleId);
    if (!rule) throw notFound();
    return c.json(attr === 'enabled' ? { enabled: rule.enabled } : { actions: rule.actions });
  })
  // PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled
  // PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions
  .put(`${BASE}/:scope/:kind/:ruleId/:attr`, ...auth, notifyAccountData, async (c) => {
    const { kind, ruleId } = ruleTarget(c);
    const { DB: db } = c.env;
    const userId = c.var.auth.userId;
    if (attribute(c) === 'enabled') {
      const { enabled } = await jsonBody(c, pushRuleEnabledBodySchema);
      unwrap(await setPushRuleEnabled(db, userId, kind, ruleId, enabled));
    } else {
      const { actions } = await jsonBody(c, pushRuleActionsBodySchema);
      unwrap(await setPushRuleActions(db, userId, kind, ruleId, actions));
    }
    return c.json({});
  })
  // Any other GET/PUT/DELETE under /pushrules (no trailing slash, missing kind or rule ID,
  // extra segments) names no rule: 400, after authentication.
  .on(['GET', 'PUT', 'DELETE'], [BASE, `${BASE}/*`], ...auth, () => {
    throw invalidParam('Push rule paths are /pushrules/global/{kind}/{ruleId}[/enabled|/actions]');
  });
