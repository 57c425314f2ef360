// The shapes of Matrix events that the core works on. Federated events are hostile input,
// so stored PDUs are typed loosely (`Pdu`) and read through `AuthEvent`, a normalised view
// that the auth rules and state resolution use for every room version.

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<string, 'UserId'>;
export type RoomId = Brand<string, 'RoomId'>;
export type EventId = Brand<string, 'EventId'>;
export type RoomAlias = Brand<string, 'RoomAlias'>;
export type ServerName = Brand<string, 'ServerName'>;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Room v1-2 reference events as [event_id, {sha256}] pairs; v3+ as bare event IDs. */
export type EventReference = string | [string, { sha256?: string }];

/** A PDU as it travels over federation and is stored: every field optional because hostile. */
export interface Pdu {
  event_id?: string; // present only in room v1-2
  room_id?: string; // absent on a room v12 m.room.create
  sender: string;
  origin?: string;
  origin_server_ts: number;
  type: string;
  state_key?: string;
  content: JsonObject;
  prev_events: EventReference[];
  auth_events: EventReference[];
  depth: number;
  hashes: { sha256: string };
  signatures: Record<string, Record<string, string>>;
  unsigned?: JsonObject;
  redacts?: string;
  [key: string]: unknown;
}

/** The normalised view of an event used by the auth rules and state resolution. */
export interface AuthEvent {
  eventId: string;
  roomId: string;
  sender: string;
  type: string;
  stateKey: string | undefined;
  content: Record<string, unknown>;
  authEvents: string[];
  prevEvents: string[];
  originServerTs: number;
  depth: number;
  /** `redacts` from the top level (v1-10) or content (v11+). */
  redacts?: string | undefined;
}

/** A state map key: `type` and `state_key` joined by NUL, which neither may usefully contain. */
export type StateKey = string;
export const stateKey = (type: string, key: string): StateKey => `${type}\u0000${key}`;
export const splitStateKey = (k: StateKey): [string, string] => {
  const i = k.indexOf('\u0000');
  return [k.slice(0, i), k.slice(i + 1)];
};
