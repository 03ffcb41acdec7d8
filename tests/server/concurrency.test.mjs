// Requests that race (issue 16): what SQLite's single writer hid and
// PostgreSQL's concurrent transactions expose. Many people act on the same
// rows at once — likes, follows, comments, the same email at sign-up — and
// every counter and every refusal must come out as if they had queued. Runs
// in both passes of the test command (SQLite, then PostgreSQL); the requests
// are really parallel (one connection each, the server's four workers).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, assertError, email, png, startServer, stopServer } from './helpers.mjs';

const PEOPLE = 16; // at once: more than the server's workers, so they queue and race

describe('racing requests', () => {
  let server, owner, post, people;
  before(async () => {
    // Limits raised: this is about races, not rate limits (limits.test.mjs).
    server = await startServer({
      env: { PA_LIMIT_SIGNUP_ADDR_BURST: '1000', PA_LIMIT_WRITE_BURST: '1000', PA_LIMIT_LOGIN_ADDR_BURST: '1000' },
    });
    owner = new Client(server);
    await owner.signup(email('owner'));
    const pet = (await owner.post('/api/v1/pets', { name: 'Racer', species: 'dog' })).body;
    const m = await owner.upload(png(8, 8), 'image/png');
    post = (await owner.post('/api/v1/posts', { caption: 'race me', media_ids: [m.id], pet_ids: [pet.id] })).body;
    people = await Promise.all(
      Array.from({ length: PEOPLE }, async (_, i) => {
        const c = new Client(server);
        await c.signup(email(`racer${i}`));
        return c;
      }),
    );
  });
  after(async () => { await stopServer(server, { keepData: false }); });

  const count = async (key) => (await owner.get(`/api/v1/posts/${post.id}`)).body[key];

  test('everyone likes at once: every like counted once; then everyone unlikes', async () => {
    const liked = await Promise.all(people.map((c) => c.put(`/api/v1/posts/${post.id}/like`)));
    assert.deepEqual(liked.map((r) => r.status), people.map(() => 200));
    assert.equal(await count('like_count'), PEOPLE);
    // Twice more each, racing themselves: still one like per person.
    await Promise.all(people.flatMap((c) => [c.put(`/api/v1/posts/${post.id}/like`), c.put(`/api/v1/posts/${post.id}/like`)]));
    assert.equal(await count('like_count'), PEOPLE);
    const unliked = await Promise.all(people.map((c) => c.del(`/api/v1/posts/${post.id}/like`)));
    assert.deepEqual(unliked.map((r) => r.status), people.map(() => 200));
    assert.equal(await count('like_count'), 0);
  });

  test('everyone comments at once: the count is the number of comments', async () => {
    const made = await Promise.all(people.map((c, i) => c.post(`/api/v1/posts/${post.id}/comments`, { body: `at once ${i}` })));
    assert.deepEqual(made.map((r) => r.status), people.map(() => 201));
    assert.equal(await count('comment_count'), PEOPLE);
    const page = await owner.get(`/api/v1/posts/${post.id}/comments?limit=100`);
    assert.equal(page.body.comments.length, PEOPLE);
    assert.equal(new Set(page.body.comments.map((c) => c.id)).size, PEOPLE, 'every comment its own id');
  });

  test('everyone follows at once, twice: one follow each, and one notification each', async () => {
    const target = owner.user.id;
    await Promise.all(people.flatMap((c) => [c.put(`/api/v1/users/${target}/follow`), c.put(`/api/v1/users/${target}/follow`)]));
    const profile = (await owner.get(`/api/v1/users/${target}`)).body;
    assert.equal(profile.follower_count, PEOPLE);
    const notes = (await owner.get('/api/v1/notifications?limit=100')).body.notifications.filter((n) => n.kind === 'follow');
    assert.equal(notes.length, PEOPLE);
    await Promise.all(people.map((c) => c.del(`/api/v1/users/${target}/follow`)));
    assert.equal((await owner.get(`/api/v1/users/${target}`)).body.follower_count, 0);
  });

  test('the same email signs up many times at once: one account, every other answer 409', async () => {
    const address = email('twins');
    const answers = await Promise.all(
      Array.from({ length: PEOPLE }, (_, i) => new Client(server).post('/api/v1/auth/signup', { email: address, password: 'the same password', display_name: `Twin ${i}` })),
    );
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, ...Array(PEOPLE - 1).fill(409)]);
    for (const r of answers.filter((a) => a.status === 409)) assertError(r, 409, 'conflict');
  });

  test('many people with the same name sign up at once: each gets a handle of their own', async () => {
    const answers = await Promise.all(
      Array.from({ length: PEOPLE }, (_, i) => new Client(server).post('/api/v1/auth/signup', { email: email(`same${i}`), password: 'a long enough password', display_name: 'Same Name' })),
    );
    assert.deepEqual(answers.map((r) => r.status), answers.map(() => 201));
    const handles = answers.map((r) => r.body.user.handle);
    assert.equal(new Set(handles).size, PEOPLE, `handles: ${handles}`);
  });
});
