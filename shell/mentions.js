// @pet mention suggestions for a caption: while the word before the caret
// starts with @, pets matching it come from /api/v1/search as a listbox; the
// caption keeps the focus (aria-activedescendant), arrows move, Enter or Tab
// picks, Escape closes. Picking writes "@Name " (spaces as _) in place.
import { get } from './api.js';
import { el } from './compose-kit.js';

const WORD = /(^|\s)@([^\s@#]{1,40})$/u;

export function attachMentions(textarea, { t, id, onPick = () => {} }) {
  const list = el('ul', { id, role: 'listbox', className: 'mentions', hidden: true, 'aria-label': t('compose.mentionsLabel') });
  const live = el('p', { className: 'visually-hidden', 'aria-live': 'polite' });
  textarea.after(list, live);
  textarea.setAttribute('aria-controls', id);
  let results = [];
  let active = -1;
  let timer = 0;
  let asked = 0;

  function close() {
    results = [];
    active = -1;
    list.hidden = true;
    list.replaceChildren();
    textarea.removeAttribute('aria-activedescendant');
  }

  function query() {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const m = textarea.selectionStart === textarea.selectionEnd ? WORD.exec(before) : null;
    return m ? m[2] : null;
  }

  async function search() {
    const q = query();
    if (!q) return close();
    const mine = ++asked;
    const r = await get(`/api/v1/search?type=pets&limit=5&q=${encodeURIComponent(q)}`);
    if (mine !== asked || query() !== q) return;
    if (!r.ok || !r.data.results.length) return close();
    results = r.data.results;
    active = 0;
    render();
    live.textContent = t('compose.mentionsCount', { count: results.length });
  }

  function render() {
    list.replaceChildren(...results.map((pet, i) => {
      const option = el('li', { id: `${id}-${i}`, role: 'option', 'aria-selected': String(i === active),
        textContent: `@${handle(pet.name)}` });
      option.addEventListener('mousedown', (e) => {
        e.preventDefault(); // keep the caption focused
        pick(i);
      });
      return option;
    }));
    list.hidden = false;
    textarea.setAttribute('aria-activedescendant', `${id}-${active}`);
  }

  function pick(i) {
    const pet = results[i];
    if (!pet) return;
    const start = textarea.selectionStart;
    const before = textarea.value.slice(0, start).replace(WORD, (all, space) => `${space}@${handle(pet.name)} `);
    textarea.value = before + textarea.value.slice(start);
    textarea.selectionStart = textarea.selectionEnd = before.length;
    close();
    onPick(pet);
  }

  textarea.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  textarea.addEventListener('blur', () => setTimeout(close, 0));
  textarea.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : results.length - 1)) % results.length;
      render();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      pick(active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });
}

const handle = (name) => name.trim().replace(/\s+/g, '_');
