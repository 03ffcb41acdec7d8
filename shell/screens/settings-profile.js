// /settings/profile — the person's profile: display name, bio, up to
// PROFILE_LINKS_MAX https links, the country they live in (declared, used for
// prices; never guessed), the profile photo (prepared by the core like a
// pet's); then the e-mail address, changed with a link sent to the new one.
// Each refusal shows beside its field; the server (PATCH /api/v1/me) has the
// last word on every limit.
import { get, patch, post, getSession } from '../api.js';
import { currentLocale } from '../i18n.js';
import { el, failureText, filePicker, withUploads } from '../compose-kit.js';
import { createPreparer, refusalText, AVATAR_EDGE } from '../media-prep.js';

// web/src/profile.h: PA_PROFILE_NAME_MAX, _BIO_MAX, _LINKS_MAX, _LINK_MAX.
export const PROFILE_NAME_MAX = 80;
export const PROFILE_BIO_MAX = 500;
export const PROFILE_LINKS_MAX = 5;
export const PROFILE_LINK_MAX = 200;

// ISO 3166-1 alpha-2, officially assigned (as web/src/profile.c), named by Intl.DisplayNames;
// also the countries an ad campaign may target (screens/ads-campaign-form.js).
export const COUNTRIES = ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ '
  + 'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE '
  + 'GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP '
  + 'KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF '
  + 'NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN '
  + 'SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA '
  + 'ZM ZW').split(' ');

export function countryName(code) {
  try {
    return new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

const linkOk = (s) => /^https:\/\/[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d{1,5})?([/?#][\x21-\x7e]*)?$/.test(s)
  && s.length <= PROFILE_LINK_MAX && !/["'<>\\`]/.test(s);

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const { user } = await getSession(true);
  const preparer = createPreparer();
  let avatarUrl = null;
  const cleanup = () => {
    preparer.close();
    if (avatarUrl) URL.revokeObjectURL(avatarUrl);
  };
  const mine = await get(`/api/v1/users/${encodeURIComponent(user.id)}`);
  const page = el('div', { className: 'settings profile-settings' }, el('h1', { id: 'profile-title', textContent: t('profile.title') }));
  root.append(page);
  if (!mine.ok) {
    page.append(el('p', { role: 'alert', textContent: failureText(t, mine.error) }));
    return cleanup;
  }
  const me = mine.data;

  // ---- the profile form
  const form = el('form', { className: 'pet-form', noValidate: true, 'aria-labelledby': 'profile-title' });
  const errors = {};
  function field(id, labelText, control, { help } = {}) {
    errors[id] = el('p', { id: `${id}-error`, className: 'kit-error', hidden: true });
    control.id = id;
    control.setAttribute('aria-describedby', [help && `${id}-help`, `${id}-error`].filter(Boolean).join(' '));
    const row = el('div', { className: 'kit-field' }, el('label', { htmlFor: id, textContent: labelText }), control,
      help ? el('p', { id: `${id}-help`, className: 'kit-help', textContent: help }) : '', errors[id]);
    form.append(row);
    return row;
  }
  const say = (id, text) => {
    errors[id].textContent = text;
    errors[id].hidden = !text;
    document.getElementById(id)?.setAttribute('aria-invalid', String(!!text));
  };

  const name = el('input', { type: 'text', name: 'name', maxLength: PROFILE_NAME_MAX, required: true, autocomplete: 'name', value: me.name });
  field('profile-name', t('profile.name'), name);
  const bio = el('textarea', { name: 'bio', rows: 4, maxLength: PROFILE_BIO_MAX });
  bio.value = me.bio;
  field('profile-bio', t('profile.bio'), bio);

  // Links: one input each, "Add a link" up to the limit, a remove button per link.
  const links = el('div', { className: 'profile-links' });
  errors['profile-links'] = el('p', { id: 'profile-links-error', className: 'kit-error', hidden: true });
  const addLink = el('button', { type: 'button', className: 'kit-secondary', textContent: t('profile.linkAdd') });
  const linkSet = el('fieldset', { className: 'kit-field', 'aria-describedby': 'profile-links-help profile-links-error' },
    el('legend', { textContent: t('profile.links') }),
    el('p', { id: 'profile-links-help', className: 'kit-help', textContent: t('profile.linksHint') }),
    links, addLink, errors['profile-links']);
  form.append(linkSet);
  const relabelLinks = () => {
    [...links.children].forEach((row, i) => {
      row.querySelector('label').textContent = t('profile.linkLabel', { n: i + 1 });
      row.querySelector('button').textContent = t('profile.linkRemove', { n: i + 1 });
    });
    addLink.hidden = links.children.length >= PROFILE_LINKS_MAX;
  };
  const linkRow = (value) => {
    const id = `profile-link-${Math.random().toString(36).slice(2)}`;
    const input = el('input', { type: 'url', id, inputMode: 'url', maxLength: PROFILE_LINK_MAX, autocomplete: 'url', value,
      placeholder: 'https://', 'aria-describedby': 'profile-links-error' });
    const remove = el('button', { type: 'button', className: 'kit-secondary' });
    const row = el('div', { className: 'profile-link' }, el('label', { htmlFor: id }), input, remove);
    remove.addEventListener('click', () => {
      const next = row.nextElementSibling?.querySelector('input') ?? row.previousElementSibling?.querySelector('input') ?? addLink;
      row.remove();
      relabelLinks();
      (addLink.hidden ? next : next === addLink ? addLink : next).focus();
    });
    links.append(row);
    relabelLinks();
    return input;
  };
  for (const l of me.links) linkRow(l);
  addLink.addEventListener('click', () => linkRow('').focus());

  // Country: "Not set" and every code, sorted by its name in this language.
  const country = el('select', { name: 'country' }, el('option', { value: '', textContent: t('profile.countryNone') }));
  const collator = new Intl.Collator(document.documentElement.lang || undefined);
  for (const [code, label] of COUNTRIES.map((c) => [c, countryName(c)]).sort((a, b) => collator.compare(a[1], b[1]))) {
    country.append(el('option', { value: code, textContent: label }));
  }
  country.value = me.country ?? '';
  field('profile-country', t('profile.country'), country, { help: t('profile.countryHint') });

  // The photo: null unchanged, {blob, mediaId} a new prepared one, 'remove'.
  let avatar = null;
  const preview = el('img', { className: 'pet-avatar', alt: t('profile.avatar'), hidden: !me.avatar_url, src: me.avatar_url ?? undefined });
  const avatarError = el('p', { id: 'profile-avatar-error', className: 'kit-error', hidden: true });
  const avatarStatus = el('p', { className: 'kit-help', 'aria-live': 'polite' });
  const removeAvatar = el('button', { type: 'button', className: 'kit-secondary', textContent: t('profile.avatarRemove'), hidden: !me.avatar_url });
  const picker = filePicker({ id: 'profile-avatar', label: t('profile.avatarChoose'), accept: 'image/*', onFiles: async ([file]) => {
    avatarError.hidden = true;
    avatarStatus.textContent = t('compose.preparing', { name: file.name });
    const r = await preparer.prepare(file, { maxEdge: AVATAR_EDGE });
    avatarStatus.textContent = '';
    if (!r.ok) {
      avatarError.textContent = `${refusalText(t, file.name, r)} ${r.message}`;
      avatarError.hidden = false;
      return;
    }
    avatar = { blob: r.blob, mediaId: null };
    if (avatarUrl) URL.revokeObjectURL(avatarUrl);
    avatarUrl = URL.createObjectURL(r.blob);
    preview.src = avatarUrl;
    preview.hidden = false;
    removeAvatar.hidden = false;
  } });
  picker.input.setAttribute('aria-describedby', 'profile-avatar-error');
  removeAvatar.addEventListener('click', () => {
    avatar = 'remove';
    preview.hidden = true;
    removeAvatar.hidden = true;
    picker.input.focus();
  });
  form.append(el('div', { className: 'kit-field' }, el('p', { className: 'kit-title', textContent: t('profile.avatar') }), preview,
    el('div', { className: 'kit-pickers' }, picker.wrap, removeAvatar), avatarStatus, avatarError));

  const formError = el('p', { className: 'kit-error', role: 'alert' });
  const done = el('p', { className: 'done', role: 'status' });
  const save = el('button', { type: 'submit', className: 'kit-primary', textContent: t('profile.save') });
  form.append(formError, el('div', { className: 'kit-actions' }, save), done);
  page.append(form);

  const linkValues = () => [...links.querySelectorAll('input')].map((i) => i.value.trim()).filter(Boolean);
  function check() {
    say('profile-name', name.value.trim() ? '' : t('auth.error.required'));
    const bad = linkValues().findIndex((l) => !linkOk(l));
    say('profile-links', bad >= 0 ? t('profile.linksHint') : '');
    if (bad >= 0) links.querySelectorAll('input')[bad]?.focus();
    else if (!name.value.trim()) name.focus();
    return bad < 0 && !!name.value.trim();
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    done.textContent = '';
    if (!check()) return;
    save.disabled = true;
    const body = { name: name.value.trim(), bio: bio.value.trim(), links: linkValues(), country: country.value || null, locale: currentLocale() };
    const parts = avatar && avatar !== 'remove' ? [avatar] : [];
    if (avatar === 'remove') body.avatar_media_id = null;
    const r = await withUploads(parts, { onProgress: () => {} }, () => {
      if (parts.length) body.avatar_media_id = avatar.mediaId;
      return patch('/api/v1/me', body);
    });
    save.disabled = false;
    if (!r.ok) {
      const at = { name: 'profile-name', bio: 'profile-bio', links: 'profile-links', country: 'profile-country' }[r.error.field];
      if (at && r.error.status === 400) {
        const words = { 'profile-name': () => t('auth.error.nameTooLong', { max: PROFILE_NAME_MAX }),
          'profile-links': () => t('profile.linksHint'), 'profile-country': () => t('profile.countryHint') }[at];
        say(at, words ? words() : r.error.message);
        (at === 'profile-links' ? links.querySelector('input') : document.getElementById(at))?.focus();
      } else {
        formError.textContent = failureText(t, r.error);
      }
      return;
    }
    avatar = null;
    await getSession(true);
    done.textContent = t('profile.saved');
  });

  page.append(emailSection(ctx, user));
  return cleanup;
}

// ---- the e-mail address: a confirmation link goes to the new one

function emailSection(ctx, user) {
  const { t } = ctx;
  const section = el('section', { 'aria-labelledby': 'profile-email-title' },
    el('h2', { id: 'profile-email-title', textContent: t('profile.emailTitle') }),
    el('p', { textContent: t('profile.emailCurrent', { email: user.email }) }));
  const form = el('form', { noValidate: true, 'aria-labelledby': 'profile-email-title' });
  const errors = {};
  const row = (id, labelKey, control) => {
    errors[id] = el('p', { id: `${id}-error`, className: 'kit-error', hidden: true });
    control.id = id;
    control.setAttribute('aria-describedby', `${id}-error`);
    form.append(el('div', { className: 'kit-field' }, el('label', { htmlFor: id, textContent: t(labelKey) }), control, errors[id]));
  };
  const say = (id, text) => {
    errors[id].textContent = text;
    errors[id].hidden = !text;
    document.getElementById(id)?.setAttribute('aria-invalid', String(!!text));
  };
  const address = el('input', { type: 'email', name: 'new-email', autocomplete: 'email', inputMode: 'email', required: true });
  row('profile-email-new', 'profile.emailNew', address);
  const password = el('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  row('profile-email-password', 'profile.emailPassword', password);
  const failure = el('p', { className: 'kit-error', role: 'alert' });
  const sent = el('p', { className: 'done', role: 'status' });
  const send = el('button', { type: 'submit', className: 'secondary', textContent: t('profile.emailSend') });
  form.append(failure, el('div', { className: 'kit-actions' }, send), sent);
  section.append(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    failure.textContent = '';
    sent.textContent = '';
    say('profile-email-new', address.value.includes('@') ? '' : t('auth.error.emailInvalid'));
    say('profile-email-password', password.value ? '' : t('auth.error.required'));
    if (!address.value.includes('@')) return address.focus();
    if (!password.value) return password.focus();
    send.disabled = true;
    const r = await post('/api/v1/me/email', { email: address.value.trim(), password: password.value });
    send.disabled = false;
    if (r.ok) {
      sent.textContent = t('profile.emailSent', { email: address.value.trim() });
      password.value = '';
      return;
    }
    const at = { email: 'profile-email-new', password: 'profile-email-password' }[r.error.field];
    if (at && r.error.status !== 429) {
      say(at, r.error.field === 'password' ? t('settings.error.wrongPassword') : r.error.status === 409 ? t('auth.error.emailTaken') : r.error.message);
      document.getElementById(at).focus();
    } else {
      failure.textContent = failureText(t, r.error);
    }
  });
  return section;
}
