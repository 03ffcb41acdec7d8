// /pets/new and /pets/:id/edit: a pet's name, species (common ones or typed),
// breed, birth date, bio and avatar (prepared by the core: downsized,
// re-encoded, no metadata), "post as this pet", and deleting it after a
// confirmation. Saving goes to the pet's page.
import { get, post, patch, del } from '../api.js';
import { el, failureText, filePicker, withUploads } from '../compose-kit.js';
import { createPreparer, refusalText, AVATAR_EDGE } from '../media-prep.js';
import { SPECIES, activePetId, myPets, setActivePetId } from '../pets.js';

export async function mount(root, params, ctx) {
  const { t, navigate } = ctx;
  const editing = !!params.id;
  const me = (await ctx.session()).user;
  const preparer = createPreparer();
  let avatarUrl = null;
  const cleanup = () => {
    preparer.close();
    if (avatarUrl) URL.revokeObjectURL(avatarUrl);
  };

  let pet = null;
  if (editing) {
    const r = await get(`/api/v1/pets/${encodeURIComponent(params.id)}`);
    if (!r.ok || r.data.owner.id !== me.id) {
      root.append(el('h1', { textContent: t('petedit.editTitle') }),
        el('p', { role: 'alert', textContent: r.ok ? t('petedit.notYours') : r.error.status === 404 ? t('petedit.notFound') : failureText(t, r.error) }));
      return cleanup;
    }
    pet = r.data;
  }
  root.append(el('h1', { textContent: editing ? t('petedit.editTitle') : t('petedit.newTitle') }));

  // ---- fields
  const form = el('form', { className: 'pet-form', noValidate: true });
  const errors = {};
  function field(id, labelKey, control, { help } = {}) {
    errors[id] = el('p', { id: `${id}-error`, className: 'kit-error', hidden: true });
    const described = [help && `${id}-help`, `${id}-error`].filter(Boolean).join(' ');
    control.id = id;
    control.setAttribute('aria-describedby', described);
    const row = el('div', { className: 'kit-field' }, el('label', { htmlFor: id, textContent: t(labelKey) }), control,
      help ? el('p', { id: `${id}-help`, className: 'kit-help', textContent: help }) : '', errors[id]);
    form.append(row);
    return row;
  }
  const name = el('input', { type: 'text', name: 'pet-name', maxLength: 80, required: true, autocomplete: 'off', value: pet?.name ?? '' });
  field('pet-name', 'petedit.name', name);

  const species = el('select', { name: 'species' });
  for (const s of SPECIES) species.append(el('option', { value: s, textContent: t(`petedit.species.${s.replace(' ', '_')}`) }));
  species.append(el('option', { value: 'other', textContent: t('petedit.species.other') }));
  const known = !pet || SPECIES.includes(pet.species);
  species.value = pet ? (known ? pet.species : 'other') : 'dog';
  field('pet-species', 'petedit.speciesLabel', species);
  const otherSpecies = el('input', { type: 'text', name: 'species-other', maxLength: 40, autocomplete: 'off', value: known ? '' : pet.species });
  const otherRow = field('pet-species-other', 'petedit.speciesOther', otherSpecies);
  const showOther = () => { otherRow.hidden = species.value !== 'other'; };
  species.addEventListener('change', showOther);
  showOther();

  const breed = el('input', { type: 'text', name: 'breed', maxLength: 80, autocomplete: 'off', value: pet?.breed ?? '' });
  field('pet-breed', 'petedit.breed', breed);
  const today = new Date().toISOString().slice(0, 10);
  const birth = el('input', { type: 'date', name: 'birth-date', max: today, value: pet?.birth_date ?? '' });
  field('pet-birth', 'petedit.birthDate', birth, { help: t('petedit.birthDateHelp') });
  const bio = el('textarea', { name: 'bio', rows: 3, maxLength: 500 });
  bio.value = pet?.bio ?? '';
  field('pet-bio', 'petedit.bio', bio);

  // ---- avatar: null = unchanged, {blob} = a new prepared photo, 'remove'
  let avatar = null;
  const preview = el('img', { className: 'pet-avatar', alt: t('petedit.avatarPreview'), hidden: !pet?.avatar_url, src: pet?.avatar_url ?? undefined });
  const avatarError = el('p', { id: 'pet-avatar-error', className: 'kit-error', hidden: true });
  const picker = filePicker({ id: 'pet-avatar', label: t('compose.choosePhoto'), accept: 'image/*', onFiles: async ([file]) => {
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
  picker.input.setAttribute('aria-describedby', 'pet-avatar-error');
  const avatarStatus = el('p', { className: 'kit-help', 'aria-live': 'polite' });
  const removeAvatar = el('button', { type: 'button', className: 'kit-secondary', textContent: t('petedit.removeAvatar'), hidden: !pet?.avatar_url });
  removeAvatar.addEventListener('click', () => {
    avatar = 'remove';
    preview.hidden = true;
    removeAvatar.hidden = true;
    picker.input.focus();
  });
  form.append(el('div', { className: 'kit-field' }, el('p', { className: 'kit-title', textContent: t('petedit.avatar') }), preview,
    el('div', { className: 'kit-pickers' }, picker.wrap, removeAvatar), avatarStatus, avatarError));

  const pets = (await myPets()).pets ?? [];
  const isActive = editing && activePetId(pets) === pet.id;
  const makeActive = el('input', { type: 'checkbox', id: 'pet-active', name: 'active', checked: isActive || !pets.length });
  form.append(el('div', { className: 'kit-check' }, makeActive, el('label', { htmlFor: 'pet-active', textContent: t('petedit.makeActive') })));

  const formError = el('p', { id: 'pet-error', className: 'kit-error', role: 'alert' });
  const save = el('button', { type: 'submit', className: 'kit-primary', textContent: t(editing ? 'petedit.save' : 'petedit.create') });
  form.append(formError, el('div', { className: 'kit-actions' }, save));
  root.append(form);

  // ---- validation and saving
  function check() {
    const problems = [];
    const say = (id, text) => {
      errors[id].textContent = text;
      errors[id].hidden = !text;
      document.getElementById(id).setAttribute('aria-invalid', String(!!text));
      if (text) problems.push(id);
    };
    say('pet-name', name.value.trim() ? '' : t('auth.error.required'));
    say('pet-species-other', species.value === 'other' && !otherSpecies.value.trim() ? t('auth.error.required') : '');
    say('pet-birth', birth.validity.badInput ? t('petedit.birthDateInvalid') : birth.value && birth.value > today ? t('petedit.birthDateFuture') : '');
    if (problems.length) document.getElementById(problems[0]).focus();
    return !problems.length;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    if (!check()) return;
    save.disabled = true;
    const body = {
      name: name.value.trim(),
      species: species.value === 'other' ? otherSpecies.value.trim() : species.value,
      breed: breed.value.trim(),
      birth_date: birth.value || null,
      bio: bio.value.trim(),
    };
    const parts = avatar && avatar !== 'remove' ? [avatar] : [];
    if (avatar === 'remove') body.avatar_media_id = null;
    const r = await withUploads(parts, { onProgress: () => {} }, () => {
      if (parts.length) body.avatar_media_id = avatar.mediaId;
      return editing ? patch(`/api/v1/pets/${pet.id}`, body) : post('/api/v1/pets', body);
    });
    if (!r.ok) return fail(r.error);
    if (makeActive.checked) setActivePetId(r.data.id);
    navigate(`/pets/${r.data.id}`);
  });

  function fail(error) {
    save.disabled = false;
    formError.textContent = failureText(t, error);
  }

  // ---- deleting, after a confirmation dialog
  if (editing) {
    const dialog = el('dialog', { className: 'pet-dialog', 'aria-labelledby': 'pet-delete-title' });
    const cancel = el('button', { type: 'button', className: 'kit-secondary', textContent: t('settings.cancel') });
    const confirm = el('button', { type: 'button', className: 'kit-danger', textContent: t('petedit.deleteConfirmButton') });
    const dialogError = el('p', { className: 'kit-error', role: 'alert' });
    dialog.append(el('h2', { id: 'pet-delete-title', textContent: t('petedit.deleteTitle', { name: pet.name }) }),
      el('p', { textContent: t('petedit.deleteBody') }), dialogError, el('div', { className: 'kit-actions' }, cancel, confirm));
    const open = el('button', { type: 'button', className: 'kit-danger', textContent: t('petedit.delete') });
    open.addEventListener('click', () => {
      dialogError.textContent = '';
      dialog.showModal();
      cancel.focus();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => open.focus());
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      const r = await del(`/api/v1/pets/${pet.id}`);
      confirm.disabled = false;
      if (!r.ok) {
        dialogError.textContent = failureText(t, r.error);
        return;
      }
      if (activePetId(pets) === pet.id) setActivePetId(null);
      dialog.close();
      navigate(`/people/${me.id}`);
    });
    root.append(el('section', { className: 'pet-danger', 'aria-labelledby': 'pet-danger-title' },
      el('h2', { id: 'pet-danger-title', textContent: t('petedit.dangerTitle') }), open), dialog);
  }
  return cleanup;
}
