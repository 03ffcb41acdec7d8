// The hand-off to a person in Chromium (issue 23, "Done when"): two browser
// contexts on one real server — Pia, a person, and Sam, who holds the
// support role (granted on the server's command line). Sam opens the
// console's Support tab; Pia asks the support widget (the help button in the
// header), then chooses "Talk to a person", and Sam's
// queue shows it live (no second read of the queue: the page's support
// socket's frame). Sam opens it from the keyboard, inserts a canned reply,
// sends it and adds an internal note; Pia sees the reply live (no read of
// her conversation after the first) and never the note (not in her page, not
// in her API). Sam resolves; Pia is asked to rate, picks 4 from the keyboard
// with a comment and is thanked; Sam's open view shows "Rated 4 out of 5"
// with the comment, live. axe on both sides at each step (both sizes). Runs on PostgreSQL
// too (PA_TEST_DATABASE=postgresql: a database of its own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DESKTOP, plain, waitForText } from '../lib/app.mjs';
import { databaseUrl } from '../lib/pg.mjs';
import { SERVER } from '../lib/paths.mjs';
import { Client, dbQuery } from '../server/helpers.mjs';
import { axe, enter, mail, shopWorld, words } from './shop-world.mjs';

const w = shopWorld({ database: 'support_handoff' });

// A person signed up through the API, with their e-mail.
async function person(tag, name) {
  const c = new Client({ port: Number(new URL(w.server.url).port) });
  const email = mail(tag);
  await c.signup(email, undefined, name);
  return Object.assign(c, { email });
}

// A context with cookie's session at path; its page, its problems (page errors,
// console errors, CSP reports) and the API requests it made (method and path).
async function open(cookie, path) {
  const { context, page, problems } = await w.open(cookie, { size: DESKTOP, locale: 'en-US' });
  const requests = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/')) requests.push(`${r.method()} ${u.pathname}${u.search}`);
  });
  await w.visit(page, path);
  return { context, page, problems, requests };
}

const count = (requests, re) => requests.filter((r) => re.test(r)).length;
const en = (key, args) => words('en', key, args);

// Pia's side, from the keyboard: the help button in the header opens the
// support widget (shell/support/widget.js), she asks the assistant, reads its
// answer, and chooses "Talk to a person"; the widget then shows the
// conversation (shell/support/conversation.js).
async function handOff(page, question) {
  // The screen settled first (it focuses its heading once drawn, which would take a key press meant for Help).
  await page.waitForFunction(() => document.activeElement?.matches('#screen h1'));
  await enter(page.locator('#help-open'));
  const dialog = page.getByRole('dialog', { name: en('support.widget.title') });
  await dialog.waitFor();
  await page.getByLabel(en('support.widget.question')).fill(question);
  await enter(dialog.getByRole('button', { name: en('support.widget.ask'), exact: true }));
  await page.locator('.support-answer:not([aria-busy])').waitFor();
  await enter(dialog.getByRole('button', { name: en('support.widget.talk') }));
  await dialog.locator('.support-desk-conv').waitFor();
  return dialog;
}

test('a person hands over to a person, who answers live, resolves and is rated', async () => {
  const pia = await person('pia', 'Pia Person');
  const sam = await person('sam', 'Sam Support');
  const env = { ...process.env, ...(w.database ? { PA_DATABASE_URL: databaseUrl(w.database) } : {}) };
  const granted = spawnSync(SERVER, ['admin', '--data', w.server.dir, 'grant', sam.email, 'support'], { env, encoding: 'utf8' });
  assert.equal(granted.status, 0, granted.stderr);
  const canned = await sam.post('/api/v1/admin/support/canned',
    { shortcut: 'photo', title: 'Pet photo', body: 'Open your pet, choose Edit, then Change photo.' });
  assert.equal(canned.status, 201, JSON.stringify(canned.body));

  // ---- Sam's console: the Support tab (his first: support opens it and the Outbox), the socket open, the queue empty
  const agent = await open(sam.cookie, '/admin');
  const tab = agent.page.getByRole('tab', { name: en('support.desk.tab') });
  assert.equal(await tab.getAttribute('aria-selected'), 'true');
  await agent.page.waitForFunction(() => document.documentElement.dataset.supportSocket === 'open');
  await agent.page.getByText(en('support.desk.queueEmpty')).waitFor();
  await axe(agent.page, 'the empty inbox');
  const queueReads = count(agent.requests, /^GET \/api\/v1\/admin\/support\/conversations\?/);

  // ---- Pia hands over; Sam's queue shows it live, announced
  const me = await open(pia.cookie, '/settings');
  const question = 'How do I change the photo of my dog?';
  await handOff(me.page, question);
  await axe(me.page, 'the widget after the hand-off');
  await waitForText(me.page, '.support-state', en('support.desk.stateLine', { state: en('support.desk.state.open') }));
  const item = agent.page.locator('.support-queue-item', { hasText: question });
  await item.waitFor();
  assert.equal(count(agent.requests, /^GET \/api\/v1\/admin\/support\/conversations\?/), queueReads, 'the queue was not read again');
  assert.match(await agent.page.locator('#support-live').textContent(), /Pia Person/);
  assert.match(await item.textContent(), /Pia Person/);
  assert.equal(await item.locator('.support-plus').count(), 0, 'Pia has no Plus badge');

  // ---- Quinn, a Plus member, hands over too (through the API): first in the queue, with the badge, live
  const quinn = await person('quinn', 'Quinn Plus');
  const plusUntil = Math.floor(Date.now() / 1000) + 30 * 86400;
  dbQuery({ dir: w.server.dir, database: w.database }, `UPDATE users SET plus_until = ${plusUntil} WHERE id = ${quinn.user.id.slice(2)}`);
  const billing = await quinn.post('/api/v1/support/conversations',
    { subject: 'Charged twice?', transcript: [{ author: 'person', body: 'I think I paid twice this month.' }], locale: 'en' });
  assert.equal(billing.status, 201, JSON.stringify(billing.body));
  const first = agent.page.locator('.support-queue li:first-child .support-queue-item');
  await first.filter({ hasText: 'Charged twice?' }).waitFor();
  assert.equal(await first.locator('.support-plus').textContent(), en('support.desk.plus'));
  assert.equal(await agent.page.locator('.support-queue li:nth-child(2) .support-queue-item', { hasText: question }).count(), 1);
  assert.equal(count(agent.requests, /^GET \/api\/v1\/admin\/support\/conversations\?/), queueReads, 'the queue was not read again');

  // A frame redraws the queue (Quinn writes again): the keyboard's place stays on the same conversation
  await first.focus();
  await first.evaluate((n) => { n.dataset.before = '1'; });
  const again = await quinn.post(`/api/v1/support/conversations/${billing.body.id}/messages`, { body: 'Still there?' });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  await agent.page.waitForFunction(() => !document.querySelector('.support-queue-item[data-before]'));
  assert.equal(await agent.page.evaluate(() => document.activeElement.dataset.id), billing.body.id);

  // ---- Sam opens it (keyboard), inserts the canned reply, sends it; then an internal note
  await enter(item);
  await agent.page.locator('#support-conv-heading', { hasText: question }).waitFor();
  assert.equal(await agent.page.evaluate(() => document.activeElement.id), 'support-conv-heading');
  await agent.page.locator('.support-detail .support-msg-person', { hasText: question }).waitFor();
  assert.equal(await agent.page.locator('.support-detail .support-msg-assistant').count(), 1, "the assistant's answer came along");
  await agent.page.getByLabel(en('support.desk.cannedPick')).selectOption({ label: '/photo — Pet photo' });
  const box = agent.page.getByLabel(en('support.desk.agentBox'));
  assert.equal(await box.inputValue(), 'Open your pet, choose Edit, then Change photo.');
  assert.equal(await agent.page.evaluate(() => document.activeElement.id), 'support-agent-box');
  const reads = count(me.requests, /^GET \/api\/v1\/support\/conversations\//);
  await enter(agent.page.getByRole('button', { name: en('support.desk.sendReply') }));
  await agent.page.locator('.support-detail .support-msg-agent', { hasText: 'Change photo' }).waitFor();
  await waitForText(agent.page, '#support-live', en('support.desk.replySent'));
  const note = 'Internal: she asked the same last week, check her account.';
  await box.fill(note);
  await enter(agent.page.getByRole('button', { name: en('support.desk.addNote') }));
  const noteItem = agent.page.locator('.support-detail .support-msg-note', { hasText: note });
  await noteItem.waitFor();
  assert.match(await noteItem.textContent(), new RegExp(en('support.desk.internal')));
  await axe(agent.page, 'the conversation with a reply and a note');

  // ---- Pia sees the reply live, never the note
  await me.page.locator('.support-msg-agent', { hasText: 'Open your pet, choose Edit, then Change photo.' }).waitFor();
  assert.match(await me.page.locator('.support-msg-agent').textContent(), /Sam Support/);
  assert.equal(count(me.requests, /^GET \/api\/v1\/support\/conversations\//), reads, 'the reply came by the socket');
  assert.equal(await me.page.getByText(note).count(), 0, 'the note is not on her page');
  const mine = await pia.get('/api/v1/support/conversations');
  const id = mine.body.conversations[0].id;
  const hers = await pia.get(`/api/v1/support/conversations/${id}`);
  assert.ok(!JSON.stringify(hers.body).includes(note), 'the note is not in her API');
  await axe(me.page, 'the person with the reply');

  // ---- Pia answers from her composer (an empty one refused in words first); Sam sees it live, announced
  await enter(me.page.getByRole('button', { name: en('support.desk.send'), exact: true }));
  await waitForText(me.page, '.support-desk-conv .form-message', en('support.desk.emptyMessage'));
  await me.page.getByLabel(en('support.desk.yourMessage')).fill('Thanks, trying it now.');
  await enter(me.page.getByRole('button', { name: en('support.desk.send'), exact: true }));
  await me.page.locator('.support-msg-person', { hasText: 'Thanks, trying it now.' }).waitFor();
  await agent.page.locator('.support-detail .support-msg-person', { hasText: 'Thanks, trying it now.' }).waitFor();
  await waitForText(agent.page, '#support-live', en('support.desk.newMessage', { name: 'Pia Person' }));

  // ---- Sam takes it: assigned to him, in "Me" and not in "Nobody"
  await enter(agent.page.getByRole('button', { name: en('support.desk.assignMe'), exact: true }));
  await waitForText(agent.page, '.support-facts', en('support.desk.assignedTo', { name: 'Sam Support' }));
  await agent.page.getByRole('button', { name: en('support.desk.unassign'), exact: true }).waitFor();
  const who = agent.page.getByLabel(en('support.desk.filterWho'));
  await who.selectOption('none');
  await agent.page.waitForFunction(() => document.querySelectorAll('.support-queue-item').length === 1);
  assert.match(await agent.page.locator('.support-queue-item').textContent(), /Charged twice\?/, "Pia's is not unassigned any more");
  await who.selectOption('me');
  await waitForText(agent.page, '.support-queue-item', en('support.desk.assignedTo', { name: 'Sam Support' }));

  // ---- snooze: a time in the past is refused in words, 30 days on snoozes it (it leaves the open queue, live for Pia)
  const until = agent.page.getByLabel(en('support.desk.snoozeUntil'));
  await until.fill('2020-01-01T09:00');
  await enter(agent.page.getByRole('button', { name: en('support.desk.snooze'), exact: true }));
  await waitForText(agent.page, '.support-composer .form-message', en('support.desk.snoozeInvalid', { days: 30 }));
  assert.equal(await agent.page.evaluate(() => document.activeElement.id), 'support-snooze-at');
  // SNOOZE_DAYS_MAX (30) at its edge, in the browser's minutes: 30 days on (the minute it falls in) is the last
  // time allowed, the minute after it the first refused.
  // Within 10 s of a minute's end the next minute would start before the click: wait for it (no assertion on time).
  const into = (Date.now() + 30 * 86_400_000) % 60_000;
  if (into > 50_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
  const edge = await agent.page.evaluate(() => {
    const p = (x) => String(x).padStart(2, '0');
    const local = (d) => `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    const last = new Date(Date.now() + 30 * 86_400_000);
    return { last: local(last), first: local(new Date(last.getTime() + 60_000)) };
  });
  await agent.page.locator('.support-composer .form-message').evaluate((n) => { n.textContent = ''; });
  await until.fill(edge.first);
  await enter(agent.page.getByRole('button', { name: en('support.desk.snooze'), exact: true }));
  await waitForText(agent.page, '.support-composer .form-message', en('support.desk.snoozeInvalid', { days: 30 }));
  await until.fill(edge.last);
  await enter(agent.page.getByRole('button', { name: en('support.desk.snooze'), exact: true }));
  await waitForText(agent.page, '.support-facts', en('support.desk.stateLine', { state: en('support.desk.state.snoozed') }));
  await agent.page.getByText(en('support.desk.queueEmpty')).waitFor();
  await waitForText(me.page, '.support-state', en('support.desk.stateLine', { state: en('support.desk.state.snoozed') }));
  await enter(agent.page.getByRole('button', { name: en('support.desk.markPending') }));
  await waitForText(me.page, '.support-state', en('support.desk.stateLine', { state: en('support.desk.state.pending') }));
  await axe(agent.page, 'a pending conversation');

  // ---- canned replies managed in their section: one added (in the picker at once), then deleted
  await agent.page.locator('.support-canned summary').click();
  const addCanned = async (said, focused) => {
    await enter(agent.page.getByRole('button', { name: en('support.desk.cannedAdd') }));
    await waitForText(agent.page, '.support-canned-form .form-message', said);
    assert.equal(await agent.page.evaluate(() => document.activeElement.id), focused);
  };
  await agent.page.getByLabel(en('support.desk.cannedShortcut')).fill('Thanks Now');
  await agent.page.getByLabel(en('support.desk.cannedTitle')).fill('Thanks');
  await addCanned(en('support.desk.cannedMissing'), 'support-canned-body');
  await agent.page.getByLabel(en('support.desk.cannedBody')).fill('Thank you for writing to us.');
  await addCanned(en('support.desk.cannedShortcutHint'), 'support-canned-shortcut');
  await agent.page.getByLabel(en('support.desk.cannedShortcut')).fill('photo');
  await addCanned(en('support.desk.cannedTaken'), 'support-canned-shortcut');
  await agent.page.getByLabel(en('support.desk.cannedShortcut')).fill('thanks');
  await enter(agent.page.getByRole('button', { name: en('support.desk.cannedAdd') }));
  await agent.page.locator('#support-canned-pick option', { hasText: 'Thanks' }).waitFor({ state: 'attached' });
  await axe(agent.page, 'the canned replies');
  const remove = agent.page.locator('.support-canned-list li', { hasText: 'Thanks' }).getByRole('button');
  assert.equal(plain(await remove.getAttribute('aria-label')), en('support.desk.cannedDeleteNamed', { title: 'Thanks' }));
  await enter(remove);
  await agent.page.locator('#support-canned-pick option', { hasText: 'Thanks' }).waitFor({ state: 'detached' });
  assert.equal(await agent.page.locator('#support-canned-pick option').count(), 2, 'the first canned reply stays');

  // ---- Sam resolves; Pia is asked to rate, picks 4 by keyboard with a comment
  await enter(agent.page.getByRole('button', { name: en('support.desk.resolve') }));
  await waitForText(agent.page, '.support-facts', en('support.desk.stateLine', { state: en('support.desk.state.resolved') }));
  const legend = me.page.getByRole('group', { name: en('support.desk.rateTitle') });
  await legend.waitFor();
  await axe(me.page, 'the rating form');
  await me.page.getByLabel(en('support.desk.rate.1')).focus();
  for (let i = 0; i < 3; i++) await me.page.keyboard.press('ArrowRight');
  assert.equal(await me.page.getByLabel(en('support.desk.rate.4')).isChecked(), true);
  await me.page.getByLabel(en('support.desk.rateComment')).fill('Quick and kind, thank you');
  await enter(me.page.getByRole('button', { name: en('support.desk.rateSend') }));
  await me.page.getByText(en('support.desk.rateThanks')).waitFor();
  assert.equal(await me.page.evaluate(() => document.activeElement.className), 'support-thanks');
  await axe(me.page, 'thanks');

  // ---- Sam's open view shows the rating live (the support.conversation frame); the resolved queue lists it
  const rated = en('support.desk.ratingWithComment', { rating: 4, comment: 'Quick and kind, thank you' });
  await waitForText(agent.page, '.support-rating-line', rated);
  await agent.page.getByLabel(en('support.desk.filterState')).selectOption('resolved');
  await agent.page.locator('.support-queue-item', { hasText: question }).waitFor();
  await axe(agent.page, 'the rated conversation');

  // ---- the conversation's own screen (where a support_reply notice leads): her messages and her rating, no note;
  // the same address is nothing to anyone else (Sam's page: the server's 404 in words, no message)
  await w.visit(me.page, `/support/${id}`);
  await me.page.getByRole('heading', { level: 1, name: en('support.desk.conversationTitle') }).waitFor();
  await waitForText(me.page, '.support-rating', en('support.desk.rated', { rating: 4 }));
  assert.equal(await me.page.locator('.support-msg-agent').count(), 1);
  assert.equal(await me.page.getByText(note).count(), 0, 'the note is not on her screen');
  await axe(me.page, 'the conversation screen');
  await w.visit(agent.page, `/support/${id}`);
  await agent.page.locator('.support-desk-conv .form-message:not(:empty)').waitFor();
  assert.equal(await agent.page.locator('.support-msg').count(), 0, "another person's conversation shows nothing");

  // Chromium logs the taken shortcut's 409 and the other person's 404 as failed resources: those, nothing else.
  const expected = [/status of 409 \(Conflict\) \(http:\/\/[^)]+\/api\/v1\/admin\/support\/canned\)$/,
    new RegExp(`status of 404 \\(Not Found\\) \\(http://[^)]+/api/v1/support/conversations/${id}\\)$`)];
  for (const re of expected) assert.equal(agent.problems.filter((p) => re.test(p)).length, 1, String(re));
  assert.deepEqual(agent.problems.filter((p) => !expected.some((re) => re.test(p))), []);
  assert.deepEqual(me.problems, []);
  await agent.context.close();
  await me.context.close();
});
