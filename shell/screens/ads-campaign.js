// /ads/campaigns/:id — one campaign (GET /api/v1/ads/campaigns/{cmp}): its
// facts (state, objective, bid, budgets, schedule, targeting in words), the
// way to edit it (screens/ads-campaign-form.js), Start / Pause / Resume
// (PATCH …{state}; a refusal — no approved creative, no balance — said in
// the server's words); its creatives with their review in words and a
// rejection's note, each removable (DELETE /api/v1/ads/creatives/{cr}), and
// a new one: a photo (prepared by the core as a post's, media-prep.js) or a
// reel's video (its metadata cleared by the core) with its poster (a frame
// of it, poster-frame.js) uploaded with progress
// (compose-kit.js withUploads), by one of the advertiser's pets, with a
// caption and an https link (POST …/creatives; it waits for a moderator);
// and the report (GET …/report): totals, then impressions and clicks by day
// and by target as bars (chart-kit.js, aria-hidden) beside their tables
// (the truth for screen readers) with CTR and spend. The advertiser's words
// (name, caption, link, a moderator's note) are textContent only.
import { del, get, patch, post } from '../api.js';
import { el, failureText, filePicker, progressBlock, withUploads } from '../compose-kit.js';
import { barChart, dataTable } from '../chart-kit.js';
import { row, say } from '../seller-form.js';
import { createPreparer, refusalText, PHOTO_EDGE } from '../media-prep.js';
import { posterFrame } from '../poster-frame.js';
import { myPets } from '../pets.js';
import { adsNav, campaignPath, count, ctrBp, ctrText, dayName, objectiveName, price, reviewName, stateName, targetText,
  targetingText } from '../ads-kit.js';

const PHOTOS_MAX = 10; // PA_ADS_PHOTOS_MAX (web/src/ads_rules.h): photos of one ad
const CAPTION_MAX = 2200; // PA_ADS_CAPTION_MAX: a post's caption
const LINK_MAX = 200; // PA_ADS_LINK_MAX: bytes of the https link (a profile link's)
// The kinds of ad the server takes: photos, or a reel (its video and a
// poster, a frame of it, as a reel is posted; schema 34).
const KINDS = ['photo', 'reel'];
const linkOk = (s) => /^https:\/\/[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$/.test(s) && new TextEncoder().encode(s).length <= LINK_MAX;

export async function mount(root, params, ctx) {
  const { t } = ctx;
  const preparer = createPreparer();
  const urls = new Set();
  const cleanup = () => {
    preparer.close();
    for (const u of urls) URL.revokeObjectURL(u);
  };
  const heading = el('h1', { textContent: t('adv.campaignTitle') });
  root.append(heading, adsNav(t, ''));
  const status = el('p', { className: 'mkt-status', role: 'status' });
  root.append(status);
  const r = await get(campaignPath(params.id));
  if (!r.ok) {
    status.textContent = r.error.status === 404 ? t('adv.campaignMissing') : failureText(t, r.error);
    return cleanup;
  }
  let c = r.data.campaign;
  const factsSlot = el('section', { className: 'dash-section', 'aria-labelledby': 'adv-h-facts' });
  const creativesSlot = el('section', { className: 'dash-section', 'aria-labelledby': 'adv-h-creatives' });
  const reportSlot = el('section', { className: 'dash-section adv-report', 'aria-labelledby': 'adv-h-report' });
  root.append(factsSlot, creativesSlot, reportSlot);
  showFacts();
  showCreatives();
  creativesSlot.append(creativeForm());
  await showReport();
  return cleanup;

  // ---- the facts and the state's button
  function showFacts() {
    heading.textContent = c.name;
    heading.dataset.state = c.state;
    const facts = el('dl', { className: 'mkt-facts adv-facts' });
    const fact = (key, value) => facts.append(el('dt', { textContent: t(key) }), el('dd', { textContent: value }));
    fact('adv.stateLabel', stateName(t, c.state));
    fact('adv.objective', objectiveName(t, c.objective));
    fact('adv.bidShort', price(c.bid_cpm_minor, c.currency));
    fact('adv.dailyShort', price(c.daily_budget_minor, c.currency));
    fact('adv.totalShort', price(c.total_budget_minor, c.currency));
    fact('adv.spent', price(c.spent_minor, c.currency));
    fact('adv.schedule', c.ends_at ? t('adv.fromTo', { from: Date.parse(c.starts_at), to: Date.parse(c.ends_at) })
      : t('adv.fromOn', { from: Date.parse(c.starts_at) }));
    fact('adv.targeting', targetingText(t, c.targeting));
    facts.lastChild.dataset.targeting = '';
    const said = el('p', { className: 'kit-help adv-state-said', role: 'status' });
    const error = el('p', { className: 'kit-error', role: 'alert' });
    const actions = el('p', { className: 'mkt-actions' },
      el('a', { href: `/ads/campaigns/${encodeURIComponent(c.id)}/edit`, className: 'kit-secondary', textContent: t('adv.editCampaign') }));
    const next = { draft: ['active', 'adv.start'], paused: ['active', 'adv.resume'], active: ['paused', 'adv.pause'] }[c.state];
    if (next) {
      const b = el('button', { type: 'button', className: 'kit-primary adv-state-button', textContent: t(next[1]) });
      b.addEventListener('click', async () => {
        error.textContent = '';
        b.disabled = true;
        const p = await patch(campaignPath(c.id), { state: next[0] });
        b.disabled = false;
        if (!p.ok) {
          error.textContent = failureText(t, p.error);
          return;
        }
        c = p.data.campaign;
        showFacts();
        factsSlot.querySelector('.adv-state-said').textContent = t('adv.stateNow', { state: stateName(t, c.state) });
        factsSlot.querySelector('.adv-state-button')?.focus();
      });
      actions.prepend(b);
    }
    factsSlot.replaceChildren(el('h2', { id: 'adv-h-facts', textContent: t('adv.aboutCampaign') }), facts, actions, error, said);
  }

  // ---- creatives
  function showCreatives() {
    const list = el('ul', { className: 'adv-creatives', 'aria-labelledby': 'adv-h-creatives' });
    for (const cr of c.creatives) {
      const remove = el('button', { type: 'button', className: 'kit-secondary', textContent: t('adv.removeCreative'),
        'aria-label': t('adv.removeCreativeNamed', { caption: cr.caption || cr.id }) });
      const item = el('li', { className: 'mkt-card adv-creative' },
        el('p', { className: 'adv-caption', textContent: cr.caption }),
        cr.link ? el('p', { className: 'kit-help', textContent: t('adv.linkTo', { link: cr.link }) }) : null,
        el('p', { className: 'mkt-card-status adv-review', textContent: reviewName(t, cr.review) }),
        cr.review === 'rejected' && (cr.review_note ?? cr.note)
          ? el('p', { className: 'kit-error adv-review-note', textContent: t('adv.rejectedWhy', { note: cr.review_note ?? cr.note }) }) : null,
        el('p', {}, remove));
      item.dataset.review = cr.review;
      item.dataset.id = cr.id;
      remove.addEventListener('click', async () => {
        remove.disabled = true;
        const d = await del(`/api/v1/ads/creatives/${encodeURIComponent(cr.id)}`);
        remove.disabled = false;
        if (!d.ok) {
          status.textContent = failureText(t, d.error);
          return;
        }
        c = { ...c, creatives: c.creatives.filter((x) => x.id !== cr.id) };
        showCreatives();
        status.textContent = t('adv.creativeRemoved');
        creativesSlot.querySelector('#adv-h-creatives').focus();
      });
      list.append(item);
    }
    const old = creativesSlot.querySelector('.adv-creatives-wrap');
    const wrap = el('div', { className: 'adv-creatives-wrap' },
      c.creatives.length ? list : el('p', { className: 'kit-help', textContent: t('adv.creativesEmpty') }));
    if (old) old.replaceWith(wrap);
    else creativesSlot.append(el('h2', { id: 'adv-h-creatives', tabIndex: -1, textContent: t('adv.creatives') }), wrap);
  }

  function creativeForm() {
    const form = el('form', { className: 'mkt-form adv-creative-form', noValidate: true, 'aria-labelledby': 'adv-h-new-creative' });
    const pet = row('cr-pet', t('adv.creativePet'), el('select', {}), { help: t('adv.creativePetHelp') });
    myPets().then((p) => {
      if (!p.ok) return;
      for (const x of p.pets) pet.input.append(el('option', { value: x.id, textContent: x.name }));
      if (!p.pets.length) say(pet, t('adv.needPet'));
    });
    // Photo or reel: one choice, then its picker.
    const kinds = el('fieldset', { className: 'mkt-fieldset' }, el('legend', { textContent: t('adv.creativeKind') }),
      ...KINDS.map((k) => el('span', { className: 'kit-check' },
        el('input', { type: 'radio', name: 'cr-kind', id: `cr-kind-${k}`, value: k, checked: k === 'photo' }),
        el('label', { htmlFor: `cr-kind-${k}`, textContent: t(`adv.kind.${k}`) }))));
    kinds.hidden = KINDS.length < 2; // one kind: nothing to choose
    const kind = () => form.querySelector('input[name=cr-kind]:checked').value;
    const media = []; // prepared parts: {blob, mediaId, url}
    const mediaList = el('ul', { className: 'mkt-photo-list', 'aria-label': t('adv.creativeMedia') });
    const mediaStatus = el('p', { className: 'kit-help', 'aria-live': 'polite' });
    const mediaError = el('p', { id: 'cr-media-error', className: 'kit-error' });
    const picker = filePicker({ id: 'cr-media', label: t('adv.chooseMedia'), accept: 'image/*,video/mp4,video/webm', multiple: true,
      onFiles: addMedia });
    picker.input.setAttribute('aria-describedby', 'cr-media-error');
    const mediaField = { input: picker.input, message: mediaError };
    function renderMedia() {
      mediaList.replaceChildren(...media.map((m, i) => {
        const remove = el('button', { type: 'button', className: 'kit-secondary', textContent: t('market.remove'),
          'aria-label': t('market.removePhotoN', { n: i + 1 }) });
        remove.addEventListener('click', () => {
          media.splice(i, 1);
          renderMedia();
          (mediaList.querySelector('button') ?? picker.input).focus();
        });
        // A reel's video is named by its file (a muted preview would be a video without captions).
        const preview = m.video ? el('span', { className: 'adv-video-name', textContent: m.name })
          : el('img', { src: m.url, alt: t('market.photoN', { n: i + 1 }), width: 96, height: 96 });
        return el('li', { className: 'mkt-photo-item' }, preview, remove);
      }));
    }
    async function addMedia(files) {
      say(mediaField, '');
      for (const file of files) {
        const reel = kind() === 'reel';
        if ((reel && media.length >= 1) || media.length >= PHOTOS_MAX) {
          say(mediaField, t('adv.error.tooManyMedia', { max: reel ? 1 : PHOTOS_MAX }));
          break;
        }
        if (reel !== file.type.startsWith('video/')) {
          say(mediaField, t(reel ? 'adv.error.needVideo' : 'adv.error.needPhoto'));
          continue;
        }
        mediaStatus.textContent = t('compose.preparing', { name: file.name });
        const p = reel ? await preparer.scrubVideo(file) : await preparer.prepare(file, { maxEdge: PHOTO_EDGE });
        if (!p.ok) {
          say(mediaField, `${refusalText(t, file.name, p)} ${p.message}`);
          continue;
        }
        // A reel's poster: a frame of it, prepared as a photo (as compose.js does).
        let poster = null;
        if (reel) {
          const frame = await posterFrame(p.blob);
          const q = frame && await preparer.prepare(frame.png, { maxEdge: 1080 });
          if (!q?.ok) {
            say(mediaField, t('compose.videoBroken', { name: file.name }));
            continue;
          }
          poster = { blob: q.blob, mediaId: null };
        }
        const url = URL.createObjectURL(p.blob);
        urls.add(url);
        media.push({ blob: p.blob, mediaId: null, url, video: reel, name: file.name, poster });
        renderMedia();
      }
      mediaStatus.textContent = '';
    }
    form.addEventListener('change', (e) => {
      if (e.target.name !== 'cr-kind') return;
      media.length = 0;
      renderMedia();
      say(mediaField, '');
    });
    const caption = row('cr-caption', t('adv.caption'), el('textarea', { rows: 3, maxLength: CAPTION_MAX }));
    // A traffic campaign's ads lead somewhere: the link is required there (optional otherwise).
    const link = row('cr-link', t('adv.link'), el('input', { type: 'url', autocomplete: 'url', maxLength: LINK_MAX,
      placeholder: 'https://' }), { help: t('adv.linkHelp') });
    const progress = progressBlock(t, 'cr-progress');
    const error = el('p', { className: 'kit-error', role: 'alert' });
    const add = el('button', { type: 'submit', className: 'kit-primary', textContent: t('adv.addCreative') });
    form.append(el('h3', { id: 'adv-h-new-creative', textContent: t('adv.newCreative') }),
      el('p', { className: 'kit-help', textContent: t('adv.reviewHelp') }), pet.wrap, kinds,
      el('div', { className: 'kit-field' }, picker.wrap, mediaStatus, mediaError, mediaList), caption.wrap, link.wrap, progress.wrap, error,
      el('div', { className: 'kit-actions' }, add));
    const all = [pet, mediaField, caption, link];
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      for (const f of all) say(f, '');
      error.textContent = '';
      const problems = [];
      const bad = (f, text) => { say(f, text); problems.push(f); };
      if (!pet.input.value) bad(pet, t('adv.needPet'));
      if (!media.length) bad(mediaField, t(kind() === 'reel' ? 'adv.error.needVideo' : 'adv.error.needPhoto'));
      const l = link.input.value.trim();
      if (!l && c.objective === 'traffic') bad(link, t('auth.error.required'));
      else if (l && !linkOk(l)) bad(link, t('adv.error.link'));
      if (problems.length) {
        problems[0].input.focus();
        return;
      }
      add.disabled = true;
      const reel = kind() === 'reel';
      const parts = reel ? [media[0], media[0].poster] : media;
      const p = await withUploads(parts, { onProgress: (f) => progress.set(f) }, () => {
        const b = { pet_id: pet.input.value, caption: caption.input.value.trim() };
        if (l) b.link = l;
        if (reel) {
          b.reel = media[0].mediaId;
          b.poster = media[0].poster.mediaId;
        } else b.media = media.map((m) => m.mediaId);
        return post(`${campaignPath(c.id)}/creatives`, b);
      });
      add.disabled = false;
      progress.hide();
      if (!p.ok) {
        const f = { pet_id: pet, media: mediaField, reel: mediaField, poster: mediaField, caption, link }[(p.error.field ?? '').replace(/\[\d+\]$/, '')];
        if (f && p.error.message) {
          say(f, p.error.message);
          f.input.focus();
          return;
        }
        error.textContent = failureText(t, p.error);
        return;
      }
      c = { ...c, creatives: [...c.creatives, p.data.creative] };
      media.length = 0;
      renderMedia();
      caption.input.value = '';
      link.input.value = '';
      showCreatives();
      status.textContent = t('adv.creativeAdded');
      creativesSlot.querySelector('#adv-h-creatives').focus();
    });
    return form;
  }

  // ---- the report
  async function showReport() {
    reportSlot.replaceChildren(el('h2', { id: 'adv-h-report', textContent: t('adv.report') }));
    const rep = await get(`${campaignPath(c.id)}/report`);
    if (!rep.ok) {
      reportSlot.append(el('p', { className: 'kit-error', textContent: failureText(t, rep.error) }));
      return;
    }
    const d = rep.data;
    const cur = d.currency;
    const heads = (first) => [t(first), t('adv.col.impressions'), t('adv.col.clicks'), t('adv.col.ctr'), t('adv.col.spend')];
    const cells = (x) => [count(x.impressions), count(x.clicks), ctrText(ctrBp(x.clicks, x.impressions)), price(x.spend_minor, cur)];
    const tot = d.totals;
    reportSlot.append(dataTable(t('adv.totalsCaption'), heads('adv.col.period'),
      [[t('adv.totals'), count(tot.impressions), count(tot.clicks), ctrText(tot.ctr_bp), price(tot.spend_minor, cur)]],
      'health-table adv-totals'));
    const days = [...d.days].sort((a, b) => a.day.localeCompare(b.day));
    const targets = d.targets;
    const figure = (cls, caption, first, rows, label) => el('figure', { className: `health-chart dash-chart ${cls}` },
      el('div', { className: 'adv-bars' },
        barChart(rows.map((x) => x.impressions), { svgClass: 'health-svg dash-svg', barClass: 'health-bar' }),
        barChart(rows.map((x) => x.clicks), { svgClass: 'health-svg dash-svg adv-clicks', barClass: 'health-bar' })),
      dataTable(caption, heads(first), rows.map((x) => [label(x), ...cells(x)]), `health-table ${cls}-table`));
    reportSlot.append(el('h3', { textContent: t('adv.byDay') }),
      days.length ? figure('adv-days', t('adv.byDayCaption'), 'adv.col.day', days, (x) => dayName(x.day))
        : el('p', { className: 'kit-help', textContent: t('adv.reportEmpty') }),
      el('h3', { textContent: t('adv.byTarget') }),
      targets.length ? figure('adv-targets', t('adv.byTargetCaption'), 'adv.col.target', targets, (x) => targetText(t, x.kind, x.value))
        : el('p', { className: 'kit-help', textContent: t('adv.reportEmpty') }));
  }
}
