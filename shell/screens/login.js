// /login — sign in (shell/auth-form.js), then on to ?next= or home.
import { mountAuthForm } from '../auth-form.js';

export function mount(root, params, ctx) {
  return mountAuthForm(root, ctx, { signup: false });
}
