// The push rule shapes and the spec's server-default rules (client-server "Predefined Rules",
// v1.19), in the order the spec lists them, which is also their priority within each kind.
//
// v1.17 removed "the legacy default push rules that looked for mentions in the `body` of the
// event" (.m.rule.contains_display_name, .m.rule.roomnotif and the content rule
// .m.rule.contains_user_name), so v1.19 has no default content rules.

/** The kinds of rule, "in the order that they are checked". */
export const PUSH_RULE_KINDS = ['override', 'content', 'room', 'sender', 'underride'] as const;
export type PushRuleKind = (typeof PUSH_RULE_KINDS)[number];

/** `"notify"`, or `{ set_tweak, value? }`; tweaks pass through the server unchanged. */
export type PushAction = string | { [key: string]: unknown };

/** A condition of an override/underride rule; unknown kinds are kept (they never match). */
export type PushCondition = { kind: string; [key: string]: unknown };

/** A rule as the API returns it (`definitions/push_rule.yaml`). */
export interface PushRule {
  rule_id: string;
  default: boolean;
  enabled: boolean;
  actions: PushAction[];
  /** Only override and underride rules. */
  conditions?: PushCondition[];
  /** Only content rules. */
  pattern?: string;
}

/** A ruleset (`definitions/push_ruleset.yaml`), each list most important first. */
export type PushRuleset = Record<PushRuleKind, PushRule[]>;

const notifySound = (sound: string): PushAction[] => ['notify', { set_tweak: 'sound', value: sound }];
const highlight: PushAction = { set_tweak: 'highlight' };

const eventMatch = (key: string, pattern: string): PushCondition => ({ kind: 'event_match', key, pattern });

function rule(rule_id: string, conditions: PushCondition[], actions: PushAction[], enabled = true): PushRule {
  return { rule_id, default: true, enabled, conditions, actions };
}

/** The server-default rules for `userId`, freshly built (callers may mutate the result). */
export function defaultPushRules(userId: string): PushRuleset {
  return {
    override: [
      // "Matches all events. This can be enabled to turn off all push notifications. [...]
      // By default this rule is disabled."
      rule('.m.rule.master', [], [], false),
      rule('.m.rule.suppress_notices', [eventMatch('content.msgtype', 'm.notice')], []),
      rule(
        '.m.rule.invite_for_me',
        [eventMatch('type', 'm.room.member'), eventMatch('content.membership', 'invite'), eventMatch('state_key', userId)],
        notifySound('default'),
      ),
      rule('.m.rule.member_event', [eventMatch('type', 'm.room.member')], []),
      rule(
        '.m.rule.is_user_mention',
        [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: userId }],
        [...notifySound('default'), highlight],
      ),
      rule(
        '.m.rule.is_room_mention',
        [
          { kind: 'event_property_is', key: 'content.m\\.mentions.room', value: true },
          { kind: 'sender_notification_permission', key: 'room' },
        ],
        ['notify', highlight],
      ),
      // "push rules which should match only state events must include an explicit
      // condition for `state_key`."
      rule('.m.rule.tombstone', [eventMatch('type', 'm.room.tombstone'), eventMatch('state_key', '')], [
        'notify',
        highlight,
      ]),
      rule('.m.rule.reaction', [eventMatch('type', 'm.reaction')], []),
      rule('.m.rule.room.server_acl', [eventMatch('type', 'm.room.server_acl'), eventMatch('state_key', '')], []),
      rule(
        '.m.rule.suppress_edits',
        [{ kind: 'event_property_is', key: 'content.m\\.relates_to.rel_type', value: 'm.replace' }],
        [],
      ),
    ],
    content: [],
    room: [],
    sender: [],
    underride: [
      rule('.m.rule.call', [eventMatch('type', 'm.call.invite')], notifySound('ring')),
      rule(
        '.m.rule.encrypted_room_one_to_one',
        [{ kind: 'room_member_count', is: '2' }, eventMatch('type', 'm.room.encrypted')],
        notifySound('default'),
      ),
      rule(
        '.m.rule.room_one_to_one',
        [{ kind: 'room_member_count', is: '2' }, eventMatch('type', 'm.room.message')],
        notifySound('default'),
      ),
      rule('.m.rule.message', [eventMatch('type', 'm.room.message')], ['notify']),
      rule('.m.rule.encrypted', [eventMatch('type', 'm.room.encrypted')], ['notify']),
    ],
  };
}
