// Runs inside the embed pages (/embed/p/:id, /embed/l/:id), framed on a
// partner's site by embed.js: words the date, the count and a listing's price
// for the page's language, and tells the embedding page how tall the post or
// listing is, whenever that changes.
(() => {
  const main = document.querySelector('main[data-post-id], main[data-listing-id]');
  if (!main) return;
  const id = main.dataset.postId ?? main.dataset.listingId;
  const lang = document.documentElement.lang || undefined;
  try {
    for (const t of document.querySelectorAll('time[datetime]'))
      t.textContent = new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(t.dateTime));
    for (const n of document.querySelectorAll('data.num'))
      n.textContent = new Intl.NumberFormat(lang).format(Number(n.value));
    // The server's exact decimal ("49.90") as a string: Intl reads it
    // without a float's rounding.
    for (const m of document.querySelectorAll('data.money[data-currency]'))
      m.textContent = new Intl.NumberFormat(lang, { style: 'currency', currency: m.dataset.currency }).format(m.value);
  } catch { /* the server's ISO date and plain digits stay */ }
  if (window.parent === window) return;
  let last = 0;
  const send = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'petamigos:resize', id, height }, '*');
  };
  new ResizeObserver(send).observe(document.documentElement);
  addEventListener('load', send);
})();
