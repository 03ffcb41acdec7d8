// /posts/:id — one post: its pet and author, photos, caption (with #tags and
// @mentions linked), like button, and its comments with one level of
// replies, a composer (a real textarea; Ctrl+Enter sends; the draft is kept
// on failure and across reloads) and deleting your own comments.
import { get, post as send, put, del } from '../api.js';
import { avatar, captionNodes, el, failurePage, failureText, signInHref, toggleButton } from '../social.js';
import { nameWithBadge } from '../plus.js';
import { reportButton } from '../report.js';

const DRAFT = 'petamigos.comment.';

function loadDraft(id) {
  try {
    return localStorage.getItem(DRAFT + id) ?? '';
  } catch {
    return '';
  }
}

function saveDraft(id, text) {
  try {
    if (text) localStorage.setItem(DRAFT + id, text);
    else localStorage.removeItem(DRAFT + id);
  } catch {
    // storage off: the text stays in the field
  }
}

const when = (t, iso) => el('time', { dateTime: iso, textContent: t('time.dateAndTime', { when: Date.parse(iso) }) });

export async function mount(root, params, ctx) {
  const { t, navigate } = ctx;
  const id = params.id;
  const [r, session] = await Promise.all([get(`/api/v1/posts/${encodeURIComponent(id)}`), ctx.session()]);
  if (!r.ok) {
    failurePage(root, t, 'social.postTitle', r.error, () => navigate(location.pathname, { replace: true }));
    return;
  }
  const p = r.data;
  const me = session.user;

  // ---- the post
  const likeMessage = el('p', { className: 'social-message', role: 'status' });
  const likes = el('span', { className: 'social-note' });
  const like = toggleButton({
    t,
    label: t('post.like'),
    pressed: p.liked,
    count: p.like_count,
    signedIn: !!me,
    signIn: () => navigate(signInHref()),
    send: (on) => (on ? put : del)(`/api/v1/posts/${encodeURIComponent(id)}/like`),
    read: (d) => ({ pressed: d.liked, count: d.like_count }),
    onChange: (s) => { likes.textContent = t('social.likes', { count: s.count }); },
    say: (text) => { likeMessage.textContent = text; },
    failed: (was) => t(was ? 'post.unlikeFailed' : 'post.likeFailed'),
  });
  const photos = el('ul', { className: 'social-photos', 'aria-label': t('social.photos', { count: p.images.length }) });
  for (const im of p.images) {
    photos.append(el('li', {}, el('img', { src: im.url, alt: im.alt, width: im.width, height: im.height, decoding: 'async' })));
  }
  const byline = el('p', { className: 'social-facts' });
  byline.append(t('social.postedBy'), ' ', el('a', { href: `/people/${encodeURIComponent(p.author.id)}` }, ...nameWithBadge(t, p.author)),
    ' · ', when(t, p.created_at));
  root.append(el('article', { className: 'social-post', 'aria-labelledby': 'post-title' },
    el('header', { className: 'social-post-head' },
      el('a', { href: `/pets/${encodeURIComponent(p.pet.id)}`, className: 'social-avatar-link', tabIndex: -1, 'aria-hidden': 'true' },
        avatar(p.pet.avatar_url, p.pet.name)),
      el('div', {},
        el('h1', { id: 'post-title' }, el('a', { href: `/pets/${encodeURIComponent(p.pet.id)}`, textContent: p.pet.name })),
        byline)),
    photos,
    p.caption ? el('p', { className: 'social-caption' }, ...captionNodes(p.caption, p.pets, p.tags)) : '',
    el('div', { className: 'social-actions' }, like, likes,
      me && me.id !== p.author.id ? reportButton(t, 'post', p.id) : ''),
    // A moderator hid it: only its author is shown it (the server's rule), and told so.
    p.moderation === 'hidden' ? el('p', { className: 'social-note mod-note', textContent: t('mod.hiddenNote') }) : '',
    likeMessage));

  // ---- comments
  const list = el('ul', { className: 'social-comments' });
  const status = el('p', { className: 'social-note', role: 'status' });
  const more = el('button', { type: 'button', className: 'social-button', textContent: t('social.moreComments'), hidden: true });
  const heading = el('h2', { id: 'comments-title', tabIndex: -1, textContent: t('post.comments') });
  let replyTo = null; // {id, name, replies} while replying

  function commentItem(c) {
    const li = el('li', { id: `comment-${c.id}`, className: 'social-comment' });
    const body = el('p', { className: 'social-comment-body', textContent: c.body });
    const head = el('p', { className: 'social-comment-head' },
      el('a', { href: `/people/${encodeURIComponent(c.author.id)}` }, ...nameWithBadge(t, c.author)), ' ', when(t, c.created_at));
    const tools = el('div', { className: 'social-comment-tools' });
    const replies = el('ul', { className: 'social-comments social-replies' });
    const note = el('p', { className: 'social-message', role: 'status' });
    li.append(head, body, tools, note);
    if (!c.parent_id) {
      li.append(replies);
      if (me) {
        const reply = el('button', { type: 'button', className: 'social-link-button', textContent: t('social.reply') });
        reply.addEventListener('click', () => startReply({ id: c.id, name: c.author.name, replies }));
        tools.append(reply);
      }
      if (c.reply_count > 0) {
        const show = el('button', { type: 'button', className: 'social-link-button', 'aria-expanded': 'false',
          textContent: t('social.showReplies', { count: c.reply_count }) });
        show.addEventListener('click', async () => {
          show.disabled = true;
          const rr = await get(`/api/v1/posts/${encodeURIComponent(id)}/comments?parent_id=${encodeURIComponent(c.id)}&limit=100`);
          show.disabled = false;
          if (!rr.ok) {
            note.textContent = failureText(t, rr.error);
            return;
          }
          replies.replaceChildren(...rr.data.comments.map(commentItem));
          show.remove();
        });
        tools.append(show);
      }
    }
    if (me && me.id !== c.author.id) tools.append(reportButton(t, 'comment', c.id));
    if (c.moderation === 'hidden') tools.append(el('span', { className: 'social-note mod-note', textContent: t('mod.hiddenNote') }));
    if (me && (me.id === c.author.id || me.id === p.author.id)) {
      const remove = el('button', { type: 'button', className: 'social-link-button', textContent: t('social.deleteComment') });
      remove.addEventListener('click', () => confirmDelete(c, li, tools, note));
      tools.append(remove);
    }
    return li;
  }

  // Deleting asks once more in place; focus goes to the heading afterwards.
  function confirmDelete(c, li, tools, note) {
    const keep = [...tools.childNodes];
    const yes = el('button', { type: 'button', className: 'social-link-button social-danger', textContent: t('social.deleteConfirm') });
    const no = el('button', { type: 'button', className: 'social-link-button', textContent: t('social.cancel') });
    tools.replaceChildren(el('span', { textContent: t('social.deleteQuestion') }), ' ', yes, ' ', no);
    yes.focus();
    no.addEventListener('click', () => { tools.replaceChildren(...keep); keep.at(-1).focus(); });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      const rr = await del(`/api/v1/comments/${encodeURIComponent(c.id)}`);
      if (rr.ok || rr.error.status === 404) {
        li.remove();
        status.textContent = t('social.commentDeleted');
        heading.focus();
        return;
      }
      tools.replaceChildren(...keep);
      note.textContent = `${t('social.deleteFailed')} ${failureText(t, rr.error)}`;
      keep.at(-1).focus();
    });
  }

  let cursor = null;
  async function loadComments() {
    more.disabled = true;
    status.textContent = t('app.loading');
    const rr = await get(`/api/v1/posts/${encodeURIComponent(id)}/comments${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    more.disabled = false;
    if (!rr.ok) {
      status.textContent = failureText(t, rr.error);
      more.textContent = t('feed.retry');
      more.hidden = false;
      return;
    }
    list.append(...rr.data.comments.map(commentItem));
    cursor = rr.data.next_cursor;
    more.textContent = t('social.moreComments');
    more.hidden = !cursor;
    status.textContent = list.children.length ? '' : t('social.noComments');
  }
  more.addEventListener('click', loadComments);

  // ---- the composer
  const form = el('form', { className: 'social-composer', noValidate: true });
  const replying = el('p', { className: 'social-note', hidden: true });
  const error = el('p', { id: 'comment-error', className: 'kit-error', role: 'alert', hidden: true });
  const help = el('p', { id: 'comment-help', className: 'social-note', textContent: t('social.commentHelp') });
  const text = el('textarea', { id: 'comment-text', name: 'comment', rows: 3, maxLength: 2200, autocomplete: 'off',
    'aria-describedby': 'comment-help comment-error' });
  const submit = el('button', { type: 'submit', className: 'social-button social-primary', textContent: t('social.sendComment') });
  const cancelReply = el('button', { type: 'button', className: 'social-link-button', textContent: t('social.cancelReply'), hidden: true });
  text.value = loadDraft(id);
  text.addEventListener('input', () => { saveDraft(id, text.value); error.hidden = true; });
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  function startReply(target) {
    replyTo = target;
    replying.textContent = t('social.replyingTo', { name: target.name });
    replying.hidden = cancelReply.hidden = false;
    text.focus();
  }
  cancelReply.addEventListener('click', () => {
    replyTo = null;
    replying.hidden = cancelReply.hidden = true;
    text.focus();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = text.value.trim();
    if (!body) {
      error.textContent = t('social.commentEmpty');
      error.hidden = false;
      text.setAttribute('aria-invalid', 'true');
      text.focus();
      return;
    }
    text.removeAttribute('aria-invalid');
    submit.disabled = true;
    const rr = await send(`/api/v1/posts/${encodeURIComponent(id)}/comments`, { body, parent_id: replyTo?.id ?? null });
    submit.disabled = false;
    if (!rr.ok) {
      // The text stays in the field (and in the saved draft) to send again.
      error.textContent = `${t('social.commentFailed')} ${failureText(t, rr.error)}`;
      error.hidden = false;
      text.focus();
      return;
    }
    (replyTo ? replyTo.replies : list).append(commentItem(rr.data));
    text.value = '';
    saveDraft(id, '');
    replyTo = null;
    replying.hidden = cancelReply.hidden = true;
    status.textContent = t('social.commentSent');
  });
  form.append(
    el('label', { htmlFor: 'comment-text', textContent: t('social.commentLabel') }),
    replying, text, help, error, el('div', { className: 'social-actions' }, submit, cancelReply));

  const composer = me ? form
    : el('p', {}, el('a', { href: signInHref(), textContent: t('social.signInToComment') }));
  root.append(el('section', { className: 'social-comments-section', 'aria-labelledby': 'comments-title' },
    heading, list, status, more, composer));
  await loadComments();
}
