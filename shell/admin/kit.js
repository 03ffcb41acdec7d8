// What the console's tabs share: how a failure, a role and a person read.
import { failureText } from '../compose-kit.js';

export const ROLES = ['admin', 'moderator', 'support', 'finance'];

// What a failed request says; 403 from a route the person's roles do not open gets its own words.
export const problem = (t, error) => (error.status === 403 ? t('admin.adminOnly') : failureText(t, error));

export const roleName = (t, role) => t(`admin.role.${role}`);
export const roleList = (t, roles) => roles.map((r) => roleName(t, r)).join(', ');

// A person in the log: their name and @handle, or the tombstone once their account is gone.
export function personText(t, p) {
  if (!p) return t('admin.commandLine');
  if (!p.id) return t('admin.deleted', { tombstone: p.tombstone });
  return `${p.name} (@${p.handle})`;
}
