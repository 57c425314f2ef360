// Server capabilities (capabilities.yaml): what the caller may do on this server.
import { roomVersionsCapability } from '../core/room-versions.js';

const enabled = (on: boolean) => ({ enabled: on });

/**
 * What the caller may do. Guests "may only modify their display name; other profile fields
 * may not be changed" (Guest Access), which the profile capabilities say too.
 */
export function capabilitiesFor(isGuest: boolean): Record<string, unknown> {
  return {
    'm.change_password': enabled(!isGuest),
    'm.room_versions': roomVersionsCapability(),
    // Deprecated since v1.16 but still required to agree with m.profile_fields.
    'm.set_displayname': enabled(true),
    'm.set_avatar_url': enabled(!isGuest),
    'm.profile_fields': isGuest ? { enabled: true, allowed: ['displayname'] } : { enabled: true },
    // No identity-server or third-party identifier support, and no login-token flow.
    'm.3pid_changes': enabled(false),
    'm.get_login_token': enabled(false),
  };
}
