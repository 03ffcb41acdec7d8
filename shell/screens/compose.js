// The composers: a post (photos up to the person's plan's photos_per_post: 10
// free, 20 with Plus; alt text each, caption with #tags and
// @pet mentions), a story (one photo) and a reel (a video; its poster is a
// frame of it). Photos are prepared by the core in the decode worker before
// anything is uploaded (shell/media-prep.js: downsized, re-encoded, no
// metadata); a reel's video has its metadata cleared in place by the core,
// which also reads its length: longer than the person's tier allows
// (GET /billing entitlements.reel_seconds, 60 s free, 180 s Plus) it is
// refused before any upload, as the server would refuse it (422).
// The draft — caption, prepared bytes, alt texts, chosen pet and the uploads
// already done — lives in IndexedDB (shell/drafts.js), so a reload or a
// failed upload loses nothing; it is cleared after posting.
import { planLimits, post } from '../api.js';
import { el, failureText, filePicker, isPhone, progressBlock, withUploads } from '../compose-kit.js';
import { loadDraft, saveDraft, clearDraft } from '../drafts.js';
import { createPreparer, refusalText, PHOTO_EDGE } from '../media-prep.js';
import { posterFrame } from '../poster-frame.js';
import { myPets, mountPetSwitcher, activePetId } from '../pets.js';
import { attachMentions } from '../mentions.js';

// A post's maxPhotos is the free plan's, used only when the person's own limit
// could not be asked (GET /billing); the server decides either way.
const KINDS = {
  post: { maxPhotos: 10, caption: true, alt: true, draft: 'post', title: 'compose.title' },
  story: { maxPhotos: 1, caption: false, alt: false, draft: 'story', title: 'compose.storyTitle' },
  reel: { maxPhotos: 0, caption: true, alt: false, draft: 'reel', title: 'compose.reelTitle' },
};
const CAPTION_MAX = 2200;
const VIDEO_MAX = 50 * 1024 * 1024; // the server's limit (web/openapi.yaml, POST /media)
const VIDEO_TYPES = ['video/mp4', 'video/webm'];

export function mount(root, params, ctx) {
  return mountComposer(root, ctx, 'post');
}

export async function mountComposer(root, ctx, kind) {
  const { t, navigate } = ctx;
  const spec = KINDS[kind];
  const session = await ctx.session();
  const userId = session.user?.id;
  const preparer = createPreparer();
  const urls = new Set(); // object URLs to revoke on leaving
  let closed = false;
  let uploading = null; // AbortController while an upload runs
  // A post takes as many photos as the person's plan allows (GET /billing).
  const limits = kind === 'post' ? await planLimits() : null;
  const maxPhotos = limits?.mine?.photos_per_post ?? spec.maxPhotos;

  root.append(el('h1', { textContent: t(spec.title) }));
  // The three composers, one link each.
  const kinds = el('ul', { className: 'compose-kinds' });
  for (const [k, href] of [['post', '/compose'], ['story', '/compose/story'], ['reel', '/compose/reel']]) {
    kinds.append(el('li', {}, el('a', { href, textContent: t(KINDS[k].title), 'aria-current': k === kind ? 'page' : null })));
  }
  // Going live is a fourth way to create (screens/live-new.js, loaded when opened).
  kinds.append(el('li', {}, el('a', { href: '/live/new', className: 'compose-live', textContent: t('live.new.go') })));
  root.append(el('nav', { 'aria-label': t('compose.kinds') }, kinds));
  const petsAnswer = await myPets();
  if (!petsAnswer.ok) {
    root.append(el('p', { role: 'alert', textContent: failureText(t, petsAnswer.error) }));
    return () => preparer.close();
  }
  const pets = petsAnswer.pets;
  if (!pets.length) {
    root.append(el('p', { textContent: t('compose.needPet') }),
      el('p', {}, el('a', { href: '/pets/new', className: 'kit-button', textContent: t('petedit.add') })));
    return () => preparer.close();
  }

  // ---- the draft (what is persisted) and what is only on screen
  const stored = await loadDraft(spec.draft);
  const draft = { caption: '', petId: activePetId(pets), photos: [], video: null, poster: null };
  if (stored?.user === userId) {
    Object.assign(draft, { caption: stored.caption ?? '', petId: stored.petId ?? draft.petId });
    draft.photos = (stored.photos ?? []).map(revive);
    draft.video = stored.video ? revive(stored.video) : null;
    draft.poster = stored.poster ? revive(stored.poster) : null;
  } else if (stored) {
    // Someone else's draft on this device: keep their photos out of it.
    await clearDraft(spec.draft);
  }
  if (!pets.some((p) => p.id === draft.petId)) draft.petId = activePetId(pets);
  let preparing = 0;
  let nextId = 1 + Math.max(0, ...draft.photos.map((p) => p.id));

  // ---- the form
  const form = el('form', { className: 'compose', noValidate: true, 'aria-describedby': 'compose-error' });
  const petRow = el('div', { className: 'kit-field' });
  const petSelect = mountPetSwitcher(petRow, pets, { t, id: 'compose-pet', selected: draft.petId, onChange: (id) => {
    draft.petId = id;
    persist();
  } });
  draft.petId = petSelect.value;
  const addPet = el('a', { href: '/pets/new', className: 'compose-addpet', textContent: t('petedit.add') });
  petRow.append(addPet);

  const refusedList = el('ul', { className: 'compose-refused', 'aria-live': 'polite' });
  const media = el('div', { className: 'kit-field' });
  let photoList = null;
  let videoBox = null;
  const pickError = el('p', { id: 'compose-pick-error', className: 'kit-error', hidden: true });
  // The longest reel this person may post, and Plus's, once GET /billing
  // (and, for a free person, /billing/plans) answered; until then (or
  // offline) the server's 422 is what tells.
  const reelLimit = { seconds: 0, plusSeconds: 0 };
  if (kind === 'reel') {
    const picker = filePicker({ id: 'compose-video', label: t('compose.chooseVideo'), accept: VIDEO_TYPES.join(','), onFiles: (f) => addVideo(f[0]) });
    picker.input.setAttribute('aria-describedby', 'compose-pick-error compose-video-help');
    videoBox = el('div', { className: 'compose-video' });
    const help = el('p', { id: 'compose-video-help', className: 'kit-help', textContent: t('compose.videoHelp') });
    media.append(el('p', { className: 'kit-title', textContent: t('compose.video') }), el('div', { className: 'kit-pickers' }, picker.wrap),
      help, pickError, videoBox);
    reelLimits().then(() => {
      if (reelLimit.seconds) help.textContent = `${t('compose.videoHelp')} ${t('compose.videoLimit', { seconds: reelLimit.seconds })}`;
    });
  } else {
    const pickers = el('div', { className: 'kit-pickers' });
    const choose = filePicker({ id: 'compose-files', label: t(maxPhotos > 1 ? 'compose.choosePhotos' : 'compose.choosePhoto'),
      accept: 'image/*', multiple: maxPhotos > 1, onFiles: addFiles });
    choose.input.setAttribute('aria-describedby', 'compose-pick-error compose-photos-help');
    pickers.append(choose.wrap);
    if (isPhone()) {
      const camera = filePicker({ id: 'compose-camera', label: t('compose.takePhoto'), accept: 'image/*', capture: 'environment', onFiles: addFiles });
      camera.input.setAttribute('aria-describedby', 'compose-pick-error compose-photos-help');
      pickers.append(camera.wrap);
    }
    photoList = el('ol', { className: 'compose-photos' });
    media.append(el('p', { className: 'kit-title', textContent: t(maxPhotos > 1 ? 'compose.photos' : 'compose.photo') }), pickers,
      el('p', { id: 'compose-photos-help', className: 'kit-help', textContent: t('compose.photosHelp', { max: maxPhotos }) }),
      pickError, refusedList, photoList);
  }

  let caption = null;
  const captionError = el('p', { id: 'compose-caption-error', className: 'kit-error', hidden: true });
  const captionRow = el('div', { className: 'kit-field' });
  if (spec.caption) {
    caption = el('textarea', { id: 'compose-caption', name: 'caption', rows: 4, maxLength: CAPTION_MAX, autocomplete: 'off',
      'aria-describedby': 'compose-caption-help compose-caption-error' });
    caption.value = draft.caption;
    caption.addEventListener('input', () => {
      draft.caption = caption.value;
      captionError.hidden = true;
      persistSoon();
    });
    captionRow.append(el('label', { htmlFor: 'compose-caption', textContent: t('compose.caption') }), caption,
      el('p', { id: 'compose-caption-help', className: 'kit-help', textContent: t('compose.captionHelp') }), captionError);
  }

  const progress = progressBlock(t, 'compose-progress');
  const formError = el('p', { id: 'compose-error', className: 'kit-error', role: 'alert' });
  const submit = el('button', { type: 'submit', className: 'kit-primary', textContent: t(`compose.submit.${kind}`) });
  const discard = el('button', { type: 'button', className: 'kit-secondary', textContent: t('compose.discard') });
  const saved = el('p', { className: 'kit-help', 'aria-live': 'polite' });
  form.append(petRow, media, spec.caption ? captionRow : '', progress.wrap, formError,
    el('div', { className: 'kit-actions' }, submit, discard), saved);
  root.append(form);
  if (caption) attachMentions(caption, { t, id: 'compose-mentions', onPick: () => { draft.caption = caption.value; persistSoon(); } });

  // ---- photos
  function revive(p) {
    const blob = new Blob([p.bytes], { type: p.mime });
    return { ...p, blob };
  }

  function stripped(p) {
    const { blob, url, ...rest } = p;
    return rest;
  }

  async function addFiles(files) {
    pickError.hidden = true;
    for (const file of files) {
      if (closed) return;
      if (draft.photos.length + preparing >= maxPhotos) {
        // A free person hears what Plus allows, with the way to it.
        const upsell = limits?.tier === 'free' && limits.plus?.photos_per_post > maxPhotos;
        refuse(file.name, upsell ? t('compose.refusedTooManyPlus', { name: file.name, max: maxPhotos, plus: limits.plus.photos_per_post })
          : t('compose.refusedTooMany', { name: file.name, max: maxPhotos }), '',
        upsell ? el('a', { href: '/plans', textContent: t('billing.seePlans') }) : null);
        continue;
      }
      preparing++;
      const placeholder = el('li', { className: 'compose-photo compose-preparing', textContent: t('compose.preparing', { name: file.name }) });
      photoList.append(placeholder);
      const r = await preparer.prepare(file, { maxEdge: PHOTO_EDGE });
      preparing--;
      placeholder.remove();
      if (closed) return;
      if (!r.ok) {
        refuse(file.name, refusalText(t, file.name, r), r.message);
        continue;
      }
      draft.photos.push({ id: nextId++, name: file.name, bytes: await r.blob.arrayBuffer(), mime: r.blob.type, blob: r.blob,
        width: r.width, height: r.height, removed: r.removed, alt: '', mediaId: null });
      renderPhotos();
      await persist();
    }
  }

  function refuse(name, text, detail, link = null) {
    const dismiss = el('button', { type: 'button', className: 'kit-secondary', textContent: t('compose.dismiss') });
    const item = el('li', { className: 'compose-refusal' }, el('strong', { textContent: text }),
      detail ? el('span', { className: 'kit-help', textContent: ` ${detail}` }) : '', link ? ' ' : '', link, dismiss);
    dismiss.setAttribute('aria-label', t('compose.dismissFile', { name }));
    dismiss.addEventListener('click', () => {
      item.remove();
      (photoList?.querySelector('button') ?? form.querySelector('.kit-file'))?.focus();
    });
    refusedList.append(item);
  }

  function urlOf(p) {
    if (!p.url) {
      p.url = URL.createObjectURL(p.blob);
      urls.add(p.url);
    }
    return p.url;
  }

  function renderPhotos(focus) {
    if (!photoList) return;
    const n = draft.photos.length;
    photoList.replaceChildren(...draft.photos.map((p, i) => {
      const title = el('p', { id: `compose-photo-${p.id}`, className: 'kit-title',
        textContent: t('compose.photoOf', { n: i + 1, count: n }) });
      const img = el('img', { src: urlOf(p), alt: t('compose.previewOf', { name: p.name }), width: p.width, height: p.height });
      const facts = el('p', { className: 'kit-help', textContent: p.removed.includes('gps') ? t('compose.locationRemoved') : p.removed.length ? t('compose.metadataRemoved') : '' });
      const children = [img, el('div', { className: 'compose-photo-body' }, title, facts)];
      if (spec.alt) {
        const alt = el('input', { id: `compose-alt-${p.id}`, type: 'text', maxLength: 300, autocomplete: 'off', value: p.alt });
        alt.addEventListener('input', () => {
          p.alt = alt.value;
          persistSoon();
        });
        children[1].append(el('label', { htmlFor: alt.id, textContent: t('compose.altText') }), alt);
      }
      const actions = el('div', { className: 'kit-actions' });
      const button = (key, action, disabled) => {
        const b = el('button', { type: 'button', className: 'kit-secondary', textContent: t(key), disabled, 'data-action': action });
        b.addEventListener('click', () => act(p, action));
        actions.append(b);
      };
      if (n > 1) {
        button('compose.moveEarlier', 'earlier', i === 0);
        button('compose.moveLater', 'later', i === n - 1);
      }
      button('compose.remove', 'remove', false);
      children[1].append(actions);
      return el('li', { className: 'compose-photo', 'data-photo': p.id },
        el('div', { className: 'compose-photo-group', role: 'group', 'aria-labelledby': title.id }, ...children));
    }));
    if (focus) {
      const li = photoList.querySelector(`[data-photo="${focus.id}"]`);
      (li?.querySelector(`[data-action="${focus.action}"]:not([disabled])`) ?? li?.querySelector('button:not([disabled])'))?.focus();
    }
  }

  function act(p, action) {
    const i = draft.photos.indexOf(p);
    if (action === 'remove') {
      draft.photos.splice(i, 1);
      if (p.url) {
        URL.revokeObjectURL(p.url);
        urls.delete(p.url);
      }
      const next = draft.photos[Math.min(i, draft.photos.length - 1)];
      renderPhotos(next && { id: next.id, action: 'remove' });
      if (!next) form.querySelector('.kit-file')?.focus();
    } else {
      const j = action === 'earlier' ? i - 1 : i + 1;
      [draft.photos[i], draft.photos[j]] = [draft.photos[j], draft.photos[i]];
      renderPhotos({ id: p.id, action });
    }
    persist();
  }

  // ---- the reel's video, and its poster (a frame, prepared by the core)
  async function reelLimits() {
    const l = await planLimits();
    reelLimit.seconds = l.mine?.reel_seconds ?? 0;
    reelLimit.plusSeconds = l.tier === 'free' ? l.plus?.reel_seconds ?? 0 : 0;
  }

  // The refusal of a reel's video for its length: the limit, and for a free
  // person what Plus allows, with the way to it.
  function showLengthError(name, limit, plusSeconds, unknown) {
    showPickError(unknown ? t('compose.videoLengthUnknown', { name }) : t('compose.videoTooLong', { name, seconds: limit }));
    if (plusSeconds > limit) {
      pickError.append(' ', t('compose.plusLonger', { seconds: plusSeconds }), ' ',
        el('a', { href: '/plans', textContent: t('billing.seePlans') }));
    }
  }

  async function addVideo(file) {
    pickError.hidden = true;
    if (!VIDEO_TYPES.includes(file.type)) return showPickError(t('compose.videoType', { name: file.name }));
    if (file.size > VIDEO_MAX) return showPickError(t('compose.videoTooLarge', { name: file.name, max: VIDEO_MAX / 1048576 }));
    videoBox.replaceChildren(el('p', { textContent: t('compose.preparing', { name: file.name }) }));
    // Its metadata (GPS and the like) is cleared by the core before anything
    // else; a video the core cannot read is not taken.
    const clean = await preparer.scrubVideo(file);
    if (closed) return;
    if (!clean.ok) {
      renderVideo();
      return showPickError(t('compose.videoUnreadable', { name: file.name }));
    }
    const blob = clean.blob;
    const frame = await posterFrame(blob);
    if (closed) return;
    if (!frame) {
      renderVideo();
      return showPickError(t('compose.videoBroken', { name: file.name }));
    }
    // The length as the server will read it: the core's (the same walk,
    // rounded up to the millisecond); the browser's only when the core found
    // none stated, which the server refuses anyway (its 422 is shown then).
    const ms = clean.durationMs ?? (Number.isFinite(frame.duration) ? Math.ceil(frame.duration * 1000) : null);
    if (reelLimit.seconds && ms !== null && ms > reelLimit.seconds * 1000) {
      renderVideo();
      return showLengthError(file.name, reelLimit.seconds, reelLimit.plusSeconds, false);
    }
    const r = await preparer.prepare(frame.png, { maxEdge: 1080 });
    if (closed) return;
    if (!r.ok) {
      renderVideo();
      return showPickError(refusalText(t, file.name, r));
    }
    draft.video = { name: file.name, bytes: await blob.arrayBuffer(), mime: blob.type, blob, mediaId: null };
    draft.poster = { name: 'poster', bytes: await r.blob.arrayBuffer(), mime: r.blob.type, blob: r.blob, mediaId: null };
    renderVideo();
    await persist();
  }

  function showPickError(text) {
    pickError.textContent = text;
    pickError.hidden = false;
  }

  function renderVideo() {
    if (!videoBox) return;
    if (!draft.video) {
      videoBox.replaceChildren();
      return;
    }
    const remove = el('button', { type: 'button', className: 'kit-secondary', textContent: t('compose.remove') });
    remove.addEventListener('click', () => {
      draft.video = draft.poster = null;
      renderVideo();
      persist();
      form.querySelector('.kit-file')?.focus();
    });
    const video = el('video', { src: urlOf(draft.video), poster: urlOf(draft.poster), controls: true, muted: true, playsInline: true,
      preload: 'metadata', 'aria-label': t('compose.previewOf', { name: draft.video.name }) });
    videoBox.replaceChildren(video, el('p', { className: 'kit-help', textContent: draft.video.name }), remove);
  }

  // ---- persistence
  let persistTimer = 0;
  function persistSoon() {
    clearTimeout(persistTimer);
    persistTimer = setTimeout(persist, 250);
  }

  async function persist() {
    clearTimeout(persistTimer);
    const empty = !draft.photos.length && !draft.video && !draft.caption;
    if (empty) return clearDraft(spec.draft);
    const ok = await saveDraft(spec.draft, {
      user: userId, caption: draft.caption, petId: draft.petId, photos: draft.photos.map(stripped),
      video: draft.video && stripped(draft.video), poster: draft.poster && stripped(draft.poster),
    });
    saved.textContent = ok ? '' : t('compose.draftNotSaved');
  }

  // ---- posting
  discard.addEventListener('click', async () => {
    uploading?.abort();
    draft.photos = [];
    draft.video = draft.poster = null;
    draft.caption = '';
    if (caption) caption.value = '';
    refusedList.replaceChildren();
    renderPhotos();
    renderVideo();
    progress.hide();
    formError.textContent = '';
    await clearDraft(spec.draft);
    form.querySelector('.kit-file')?.focus();
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (uploading) return;
    formError.textContent = '';
    const parts = kind === 'reel' ? [draft.video, draft.poster].filter(Boolean) : draft.photos;
    if (preparing) {
      formError.textContent = t('compose.stillPreparing');
      return;
    }
    if (!parts.length) {
      showPickError(t(kind === 'reel' ? 'compose.needVideo' : 'compose.needPhoto'));
      form.querySelector('.kit-file')?.focus();
      return;
    }
    if (caption && caption.value.length > CAPTION_MAX) {
      captionError.textContent = t('auth.error.nameTooLong', { max: CAPTION_MAX });
      captionError.hidden = false;
      caption.focus();
      return;
    }
    uploading = new AbortController();
    submit.disabled = true;
    submit.textContent = t('compose.posting');
    const r = await send(parts, uploading.signal);
    uploading = null;
    if (closed) return;
    submit.disabled = false;
    if (!r.ok) {
      if (r.error.kind === 'aborted') return;
      submit.textContent = t('compose.retry');
      const video = r.error.body?.video;
      if (kind === 'reel' && video && (r.error.code === 'video_too_long' || r.error.code === 'video_length_unknown')) {
        // The server's refusal of the length, worded as the early one; the
        // video has to change, so the picker gets the focus.
        showLengthError(draft.video.name, video.limit_seconds, video.plus_limit_seconds, r.error.code === 'video_length_unknown');
        await persist();
        form.querySelector('.kit-file')?.focus();
        return;
      }
      formError.textContent = t('compose.failed', { reason: failureText(t, r.error) });
      await persist();
      submit.focus();
      return;
    }
    progress.set(1);
    draft.photos = [];
    draft.video = draft.poster = null;
    draft.caption = '';
    await clearDraft(spec.draft);
    dispatchEvent(new CustomEvent('pa:posted', { detail: { kind } }));
    navigate(r.to);
  });

  async function send(parts, signal) {
    return withUploads(parts, { signal, onProgress: (f) => progress.set(f * 0.98), onStored: () => persist() }, async () => {
      let r;
      if (kind === 'post') {
        r = await post('/api/v1/posts', { caption: draft.caption, media_ids: parts.map((p) => p.mediaId), pet_ids: [draft.petId],
          alt: parts.map((p) => p.alt.trim()) });
        return r.ok ? { ok: true, to: `/posts/${r.data.id}` } : r;
      }
      if (kind === 'story') {
        r = await post('/api/v1/stories', { media_id: parts[0].mediaId, pet_id: draft.petId });
        return r.ok ? { ok: true, to: '/' } : r;
      }
      r = await post('/api/v1/reels', { video_media_id: draft.video.mediaId, poster_media_id: draft.poster.mediaId,
        caption: draft.caption, pet_id: draft.petId });
      return r.ok ? { ok: true, to: '/reels' } : r;
    });
  }

  renderPhotos();
  renderVideo();
  // What the last upload attempt had already sent stays sent (mediaId kept).
  const onHide = () => persist();
  addEventListener('pagehide', onHide);
  return () => {
    closed = true;
    removeEventListener('pagehide', onHide);
    uploading?.abort();
    persist();
    preparer.close();
    for (const u of urls) URL.revokeObjectURL(u);
  };
}
